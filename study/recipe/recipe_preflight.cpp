// Checks of a recipe against this machine (see recipe_preflight.h).
#include "study/recipe/recipe_preflight.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "base/errors.h"
#include "core/data/prepared_meta.h"
#include "core/data/task_data.h"
#include "core/data/text_source.h"
#include "core/data/token_file.h"
#include "core/spec/memory.h"
#include "core/spec/settings.h"

namespace mose::study::recipe {
namespace {

namespace fs = std::filesystem;

// Physical memory, or the limit of this process's cgroup (v2) when one is set and lower:
// a container sees the host's pages but may use only its limit.
std::pair<double, std::string> machine_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  double bytes = pages > 0 && page_size > 0 ? static_cast<double>(pages) * static_cast<double>(page_size) : 0.0;
  std::string source = "this machine's physical memory";
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  double limit = 0;
  if (cgroup >> limit && limit > 0 && (bytes == 0 || limit < bytes)) {
    bytes = limit;
    source = "this process's cgroup memory.max";
  }
  return {bytes, source};
}

// The trials that read one data set, keyed by its canonical data settings.
struct DataUse {
  const core::spec::RunConfig* config = nullptr;  // the first trial's
  int64_t seq_len = 0;                            // the longest of its trials
};

std::vector<DataUse> data_uses(const Recipe& recipe) {
  std::vector<DataUse> uses;
  std::unordered_map<std::string, std::size_t> index;
  for (const TrainingTrialSpec& trial : recipe.training) {
    std::string key;
    for (const auto& [name, value] : core::spec::config_entries(trial.config)) {
      if (name.starts_with("data.")) key += name + "=" + value + "\n";
    }
    const auto [it, fresh] = index.emplace(key, uses.size());
    if (fresh) uses.push_back(DataUse{&trial.config, 0});
    uses[it->second].seq_len = std::max<int64_t>(uses[it->second].seq_len, trial.config.model.seq_len);
  }
  return uses;
}

void require_readable_file(const fs::path& path, const std::string& what, const std::string& expected) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    throw DataError(fmt::format("{} {}: {}; expected {}", what, path.string(),
                                fs::exists(path, error) ? "not a regular file" : "no such file", expected));
  }
  if (!std::ifstream(path, std::ios::binary)) {
    throw DataError(fmt::format("{} {}: cannot be read (permissions?); expected {}", what, path.string(), expected));
  }
}

std::string check_text_data(const core::data::DataConfig& data) {
  const std::vector<fs::path> files = core::data::list_text_files(data.sources);  // DataError when missing
  for (const fs::path& file : files) {
    require_readable_file(file, "data.sources:", "a readable text file (plain, gzip or dictzip)");
  }
  if (!data.tokenizer_model.empty()) {
    require_readable_file(data.tokenizer_model, "data.tokenizer_model", "a readable SentencePiece .model file");
  }
  return fmt::format("text data: {} readable source file{} ({}{})", files.size(), files.size() == 1 ? "" : "s",
                     files.front().string(), files.size() > 1 ? ", ..." : "");
}

// Tokens in a headerless file of data.token_dtype ids, checked to be whole and at least
// `windows` windows of seq_len + 1.
int64_t token_count(const fs::path& path, const core::data::DataConfig& data, int64_t seq_len, int64_t windows) {
  const std::string expected = fmt::format("headerless little-endian {} token ids", data.token_dtype);
  require_readable_file(path, "data.nanogpt_dir:", expected);
  const int64_t bytes_per_token = core::data::dtype_bytes(core::data::parse_dtype(data.token_dtype));
  const auto bytes = static_cast<int64_t>(fs::file_size(path));
  if (bytes % bytes_per_token != 0) {
    throw DataError(fmt::format("{}: {} bytes, not a whole number of {}-byte tokens; expected {}", path.string(), bytes,
                                bytes_per_token, expected));
  }
  const int64_t tokens = bytes / bytes_per_token, needed = windows * (seq_len + 1);
  if (tokens < needed) {
    throw DataError(fmt::format("{}: {} tokens; expected at least {} ({} window{} of model.seq_len + 1 = {})",
                                path.string(), tokens, needed, windows, windows == 1 ? "" : "s", seq_len + 1));
  }
  return tokens;
}

std::string check_nanogpt_data(const core::data::DataConfig& data, int64_t seq_len) {
  const int64_t train = token_count(data.nanogpt_dir / core::data::kTrainFile, data, seq_len, 1);
  const int64_t val = token_count(data.nanogpt_dir / core::data::kValFile, data, seq_len, 2);
  return fmt::format("nanogpt data {}: {} training and {} validation tokens ({})", data.nanogpt_dir.string(), train,
                     val, data.token_dtype);
}

// The longest continuation of a task file in bytes (= byte tokens) and its line.
struct TaskSummary {
  std::size_t items = 0;
  std::size_t longest = 0;
  int64_t line = 0;
  const char* kind = "";
};

TaskSummary read_task(const fs::path& path) {
  require_readable_file(path, "eval.tasks:", "a task file (core/data/task_data.h)");
  TaskSummary summary;
  const auto longer = [&summary](const std::string& target, int64_t line) {
    if (target.size() > summary.longest) summary.longest = target.size(), summary.line = line;
  };
  if (core::data::task_kind(path) == core::data::TaskKind::kMultipleChoice) {
    const std::vector<core::data::ChoiceItem> items = core::data::read_choice_task(path);
    for (const auto& item : items) {
      for (const std::string& choice : item.choices) longer(choice, item.line);
    }
    return {items.size(), summary.longest, summary.line, "multiple-choice"};
  }
  const std::vector<core::data::LastWordItem> items = core::data::read_last_word_task(path);
  for (const auto& item : items) longer(item.target, item.line);
  return {items.size(), summary.longest, summary.line, "last-word"};
}

bool byte_text(const core::spec::RunConfig& config) {
  return config.data.format == "text" && config.data.tokenizer == "byte";
}

// One task file, read once, against every trial that scores it. A continuation longer
// than a model's context is no error: it is scored in rolling pieces (core/eval/task_eval.h).
std::string check_task(const Recipe& recipe, const fs::path& path) {
  const TaskSummary task = read_task(path);
  const TrainingTrialSpec* shortest = nullptr;  // the byte-tokenizer trial of the shortest context
  for (const TrainingTrialSpec& trial : recipe.training) {
    const auto& tasks = trial.config.eval.tasks;
    if (std::find(tasks.begin(), tasks.end(), path) == tasks.end()) continue;
    if (trial.config.data.format != "text") {
      throw RecipeError(
          fmt::format("{}: trial {}: eval.tasks = {}: expected data.format = \"text\" (task files are text; a nanogpt "
                      "dataset has no tokenizer to read them with)",
                      recipe.path.string(), trial.label, path.string()));
    }
    if (byte_text(trial.config) &&
        (shortest == nullptr || trial.config.model.seq_len < shortest->config.model.seq_len)) {
      shortest = &trial;
    }
  }
  std::string line = fmt::format("task {}: {} {} items, longest continuation {} bytes", path.string(), task.items,
                                 task.kind, task.longest);
  if (shortest != nullptr && static_cast<int64_t>(task.longest) > shortest->config.model.seq_len) {
    line += fmt::format(" (line {}; longer than model.seq_len = {}: scored in rolling pieces)", task.line,
                        shortest->config.model.seq_len);
  }
  return line;
}

}  // namespace

std::vector<std::string> check_inputs(const Recipe& recipe) {
  std::vector<std::string> lines;
  for (const DataUse& use : data_uses(recipe)) {
    const core::data::DataConfig& data = use.config->data;
    lines.push_back(data.format == "nanogpt" ? check_nanogpt_data(data, use.seq_len) : check_text_data(data));
  }
  std::vector<fs::path> tasks;
  for (const TrainingTrialSpec& trial : recipe.training) {
    for (const fs::path& task : trial.config.eval.tasks) {
      if (std::find(tasks.begin(), tasks.end(), task) == tasks.end()) tasks.push_back(task);
    }
  }
  for (const fs::path& task : tasks) lines.push_back(check_task(recipe, task));
  return lines;
}

DeviceMemory device_memory(std::optional<double> override_bytes, int workers) {
  DeviceMemory limits;
  if (override_bytes) {
    limits.cpu_bytes = limits.cuda_bytes = *override_bytes;
    limits.cpu_source = limits.cuda_source = "--device-memory";
    return limits;
  }
  const auto [bytes, source] = machine_memory();
  workers = std::max(workers, 1);
  limits.cpu_bytes = bytes / workers;
  limits.cpu_source = workers == 1 ? source : fmt::format("{} shared by {} workers", source, workers);
  limits.cuda_bytes = kAssumedCudaMemoryBytes;
  limits.cuda_source = "assumed for a GPU; set --device-memory";
  return limits;
}

double memory_limit(const DeviceMemory& limits, const std::string& device, std::string* source) {
  bool cpu = device == "cpu";
  if (device == "auto") cpu = limits.cpu_bytes <= limits.cuda_bytes;  // cuda, cuda:N: false
  if (source != nullptr) *source = cpu ? limits.cpu_source : limits.cuda_source;
  return cpu ? limits.cpu_bytes : limits.cuda_bytes;
}

void check_memory_fits(const Recipe& recipe, const DeviceMemory& limits, const std::string& device) {
  for (const TrainingTrialSpec& trial : recipe.training) {
    core::spec::RunConfig config = trial.config;
    if (!device.empty()) config.train.device = device;
    const core::spec::MemoryEstimate memory = training_memory(config);
    std::string source;
    const double limit = memory_limit(limits, config.train.device, &source);
    if (memory.total() <= limit) continue;
    throw RecipeError(fmt::format(
        "{}: trial {}: needs ~{} to train on {} ({}); expected at most {} ({}): a smaller model or train.batch_size "
        "(train.grad_accum keeps the tokens per step)",
        recipe.path.string(), trial.label, core::spec::format_bytes(memory.total()), config.train.device,
        describe_memory(memory, config), core::spec::format_bytes(limit), source));
  }
}

}  // namespace mose::study::recipe
