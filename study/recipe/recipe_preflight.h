// Checks of a recipe against the machine about to run it, kept out of load_recipe (which
// analysis also calls, on machines without the data or the device): every training
// trial's memory estimate (core/spec/memory.h) fits its device, and its data and task
// files can be read. `mose-study check` and `mose-study run` call them before anything
// trains, so that a missing corpus or a bad task line is not found hours later.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "study/recipe/recipe.h"

namespace mose::study::recipe {

// What a GPU is assumed to hold when --device-memory does not say: 80 GiB, an A100 or
// H100 80GB. Smaller GPUs (and the H200's 141 GB) need the option.
inline constexpr double kAssumedCudaMemoryBytes = 80.0 * (1ull << 30);

// The memory a trial may use on each kind of device, and where each figure came from.
struct DeviceMemory {
  double cpu_bytes = 0;    // train.device "cpu"
  double cuda_bytes = 0;   // "cuda", "cuda:N"
  std::string cpu_source;  // "this machine's physical memory", ...
  std::string cuda_source;
};

// `override_bytes` (--device-memory) for every device when set. Otherwise cpu trials get
// this machine's physical memory (or its cgroup's limit, if lower) shared among
// `workers` processes, and cuda trials kAssumedCudaMemoryBytes.
DeviceMemory device_memory(std::optional<double> override_bytes, int workers);

// The memory a trial on `device` may use; "auto" lands on a GPU when there is one, so it
// gets the smaller of the two.
double memory_limit(const DeviceMemory& limits, const std::string& device, std::string* source = nullptr);

// RecipeError naming the first training trial whose estimate exceeds the memory of its
// device (`device` replaces every trial's train.device when non-empty: run --gpus), with
// the estimate's breakdown and the limit's source.
void check_memory_fits(const Recipe& recipe, const DeviceMemory& limits, const std::string& device = "");

// DataError naming the file (and line) at fault unless every training trial's data and
// task files can be used:
//   - text data: every source exists and is readable (an adopted tokenizer model too);
//   - nanogpt data: the folder holds train.bin and val.bin of whole tokens of
//     data.token_dtype, train.bin at least one window of seq_len + 1 tokens and val.bin
//     two (every training trial ends with an evaluation that calibrates on one);
//   - task files: every line parses (core/data/task_data.h), and with the byte
//     tokenizer every continuation (a choice, a last word) fits model.seq_len tokens;
//     with a trained tokenizer lengths are left to the evaluation, and the returned line
//     says so.
// A trial with task files and nanogpt data, which has no tokenizer to read them with, is
// a RecipeError. Returns one line per data set and task file checked, for `check`.
std::vector<std::string> check_inputs(const Recipe& recipe);

}  // namespace mose::study::recipe
