// Recipes for runner and CLI tests: a model small enough to train in about a second
// on one CPU core (1 layer, d_model 32, 4 experts of 64 hidden units, sequences of 32
// byte tokens) on a 300 KB prefix of the default corpus, with the data cached inside
// the test's scratch folder. Shared by tests/study and tests/app.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace mose::study::testing {

// A recipe named `name` whose data cache is <dir>/cache, `steps` training steps,
// `train_settings` added to its [train] table, and `body` (modes, sweeps, policies)
// appended.
inline std::string tiny_recipe_text(const std::string& name, const std::filesystem::path& dir, int steps,
                                    const std::string& body, const std::string& train_settings = "") {
  return fmt::format(R"(
[study]
name = "{}"

[data]
max_bytes = 300000
cache_dir = "{}"

[model]
n_layer = 1
n_head = 2
d_model = 32
seq_len = 32
n_experts = 4
d_ff = 64
dense_d_ff = 64

[train]
steps = {}
batch_size = 4
log_every = 5
device = "cpu"
{}

[train.optim]
warmup_steps = 2

[eval]
tokens = 1024
batch_size = 16
{}
)",
                     name, (dir / "cache").string(), steps, train_settings, body);
}

// Two modes (standard MoE and MoSE over {0.25, 0.5, 1}) evaluated at three uniform widths:
// 2 training + 6 evaluation trials.
inline constexpr const char* kModesAndWidths = R"(
[modes.moe]
"train.width.widths" = [1.0]

[modes.mose]
"train.width.widths" = [0.25, 0.5, 1.0]

[[policy]]
name = "uniform"
widths = [0.25, 0.5, 1.0]
)";

inline std::filesystem::path write_recipe(const std::filesystem::path& dir, const std::string& text,
                                          const std::string& file = "recipe.toml") {
  const std::filesystem::path path = dir / file;
  std::ofstream(path) << text;
  return path;
}

}  // namespace mose::study::testing
