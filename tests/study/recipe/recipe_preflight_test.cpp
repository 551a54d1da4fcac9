// Checks of a recipe against the machine about to run it: memory per device.
#include "study/recipe/recipe_preflight.h"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>

#include "base/errors.h"
#include "study/study_test_support.h"

namespace mose::study::recipe {
namespace {

constexpr double kGiB = 1ull << 30;

// A recipe whose one trial needs about 2.15 TiB: 8 MoE layers of d_model 16384 with 8
// experts of 65536 units (1.46e11 parameters at 16 bytes each).
Recipe huge_recipe(const testing::ScratchDir& dir, const std::string& device) {
  std::ofstream(dir.path() / "r.toml") << "[study]\nname = \"huge\"\n[data]\ncache_dir = \"c\"\n"
                                          "[model]\nn_layer = 8\nn_head = 128\nd_model = 16384\nn_experts = 8\n"
                                          "d_ff = 65536\n[train]\ndevice = \"" +
                                              device + "\"\n";
  return load_recipe(dir.path() / "r.toml");
}

DeviceMemory limits(double cpu, double cuda) { return {cpu, cuda, "cpu source", "cuda source"}; }

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A recipe in `dir` with `data` as its [data] table and `extra` appended; seq_len 8.
Recipe inputs_recipe(const testing::ScratchDir& dir, const std::string& data, const std::string& extra = "") {
  write_file(dir.path() / "r.toml",
             "[study]\nname = \"inputs\"\n[data]\n" + data + "\n[model]\nseq_len = 8\n[eval]\ntokens = 64\n" + extra);
  return load_recipe(dir.path() / "r.toml");
}

std::string text_data(const testing::ScratchDir& dir) {
  return fmt::format("sources = [\"{}\"]\ncache_dir = \"c\"", (dir.path() / "corpus.txt").string());
}

std::string nanogpt_data(const testing::ScratchDir& dir) {
  return fmt::format("format = \"nanogpt\"\nnanogpt_dir = \"{}\"\nvocab_size = 100", (dir.path() / "owt").string());
}

std::string tasks(const std::filesystem::path& task) { return fmt::format("tasks = [\"{}\"]\n", task.string()); }

}  // namespace

TEST_CASE("A small model with a huge eval.tokens is refused for its evaluation windows", "[study][recipe][preflight]") {
  testing::ScratchDir dir("preflight_eval_memory");
  write_file(dir.path() / "r.toml",
             "[study]\nname = \"evalmem\"\n[data]\ncache_dir = \"c\"\n[train]\ndevice = \"cpu\"\n"
             "[eval]\ntokens = 1073741824\n");
  const Recipe recipe = load_recipe(dir.path() / "r.toml");
  CHECK(training_memory(recipe.training[0].config).evaluation == 10 * kGiB);  // int64 windows, calibration too
  CHECK_THROWS_WITH(
      check_memory_fits(recipe, limits(4 * kGiB, 1e15)),
      Catch::Contains("; evaluation windows 10 GiB") && Catch::Contains("expected at most 4 GiB (cpu source)"));
}

TEST_CASE("A trial whose memory estimate exceeds its device is refused, naming both", "[study][recipe][preflight]") {
  testing::ScratchDir dir("preflight_memory");
  const Recipe cpu = huge_recipe(dir, "cpu");
  const double needs = training_memory(cpu.training[0].config).total();
  REQUIRE(needs > 1000 * kGiB);
  CHECK_NOTHROW(check_memory_fits(cpu, limits(2 * needs, 1)));
  CHECK_THROWS_AS(check_memory_fits(cpu, limits(needs / 2, 1e15)), RecipeError);
  CHECK_THROWS_WITH(
      check_memory_fits(cpu, limits(64 * kGiB, 1e15)),
      Catch::StartsWith((dir.path() / "r.toml").string() + ": trial base: needs ~2.15 TiB to train on cpu (1.46e+11 "
                                                           "parameters: weights 544 GiB, gradients 544 "
                                                           "GiB, AdamW state 1.06 TiB; activations ") &&
          Catch::Contains("; expected at most 64 GiB (cpu source): a smaller model or train.batch_size"));
  // --gpus puts every trial on a GPU, whatever the recipe says.
  CHECK_NOTHROW(check_memory_fits(cpu, limits(1, 2 * needs), "cuda"));
  CHECK_THROWS_WITH(check_memory_fits(cpu, limits(1e15, 64 * kGiB), "cuda"), Catch::Contains("(cuda source)"));
  // "auto" must fit wherever it lands: the smaller of the two.
  const Recipe automatic = huge_recipe(dir, "auto");
  CHECK_THROWS_WITH(check_memory_fits(automatic, limits(1e15, 64 * kGiB)), Catch::Contains("(cuda source)"));
  CHECK_THROWS_WITH(check_memory_fits(automatic, limits(64 * kGiB, 1e15)), Catch::Contains("(cpu source)"));
}

TEST_CASE("Device memory comes from the option, else the machine and an assumed GPU", "[study][recipe][preflight]") {
  const DeviceMemory given = device_memory(24 * kGiB, 4);
  CHECK(given.cpu_bytes == 24 * kGiB);
  CHECK(given.cuda_bytes == 24 * kGiB);
  CHECK(given.cuda_source == "--device-memory");
  const DeviceMemory machine = device_memory(std::nullopt, 1);
  CHECK(machine.cpu_bytes > 0);
  CHECK(machine.cuda_bytes == kAssumedCudaMemoryBytes);
  CHECK(device_memory(std::nullopt, 2).cpu_bytes == machine.cpu_bytes / 2);
  CHECK_THAT(device_memory(std::nullopt, 2).cpu_source, Catch::EndsWith("shared by 2 workers"));
  std::string source;
  CHECK(memory_limit(machine, "cuda:3", &source) == kAssumedCudaMemoryBytes);
  CHECK(source == machine.cuda_source);
  CHECK(memory_limit(machine, "cpu") == machine.cpu_bytes);
}

TEST_CASE("Text sources must exist and be readable, which load_recipe itself never checks",
          "[study][recipe][preflight]") {
  testing::ScratchDir dir("preflight_text");
  const Recipe recipe = inputs_recipe(dir, text_data(dir));  // loads without the corpus
  CHECK_THROWS_AS(check_inputs(recipe), DataError);
  CHECK_THROWS_WITH(check_inputs(recipe), Catch::Contains((dir.path() / "corpus.txt").string()));
  write_file(dir.path() / "corpus.txt", "some text\n");
  CHECK(check_inputs(recipe) ==
        std::vector<std::string>{"text data: 1 readable source file (" + (dir.path() / "corpus.txt").string() + ")"});
}

TEST_CASE("nanogpt token files must hold whole tokens and enough windows", "[study][recipe][preflight]") {
  testing::ScratchDir dir("preflight_nanogpt");
  const Recipe recipe = inputs_recipe(dir, nanogpt_data(dir));
  const std::string owt = (dir.path() / "owt").string();
  CHECK_THROWS_WITH(check_inputs(recipe), "data.nanogpt_dir: " + owt +
                                              "/train.bin: no such file; expected headerless little-endian uint16 "
                                              "token ids");
  std::filesystem::create_directories(dir.path() / "owt");
  write_file(dir.path() / "owt/train.bin", std::string(19, '\0'));  // 9.5 uint16 tokens
  CHECK_THROWS_WITH(check_inputs(recipe), owt +
                                              "/train.bin: 19 bytes, not a whole number of 2-byte tokens; expected "
                                              "headerless little-endian uint16 token ids");
  write_file(dir.path() / "owt/train.bin", std::string(18, '\0'));  // one window of 9
  write_file(dir.path() / "owt/val.bin", std::string(34, '\0'));    // 17 tokens: one window short of two
  CHECK_THROWS_WITH(check_inputs(recipe),
                    owt + "/val.bin: 17 tokens; expected at least 18 (2 windows of model.seq_len + 1 = 9)");
  write_file(dir.path() / "owt/val.bin", std::string(36, '\0'));
  CHECK(check_inputs(recipe) ==
        std::vector<std::string>{"nanogpt data " + owt + ": 9 training and 18 validation tokens (uint16)"});
}

TEST_CASE("Task files must parse and a continuation longer than the context is reported and not refused",
          "[study][recipe][preflight]") {
  testing::ScratchDir dir("preflight_tasks");
  write_file(dir.path() / "corpus.txt", "some text\n");
  const std::filesystem::path mc = dir.path() / "mc.jsonl", lw = dir.path() / "lw.txt";
  const std::string good = R"({"context": "The sky is", "choices": [" blue", " green"], "gold": 0})";
  write_file(mc, good + "\n\n" + R"({"context": "c", "choices": [" a"], "gold": 0})" + "\n");
  const Recipe recipe = inputs_recipe(dir, text_data(dir), tasks(mc));
  CHECK_THROWS_AS(check_inputs(recipe), DataError);
  CHECK_THROWS_WITH(check_inputs(recipe), Catch::StartsWith(mc.string() + ":3: \"choices\" missing or with fewer"));

  // " turquoise" is 10 byte tokens, longer than seq_len 8: scored in rolling pieces.
  write_file(mc, good + "\n" + R"({"context": "The sea is", "choices": [" turquoise", " grey"], "gold": 1})" + "\n");
  CHECK(check_inputs(recipe).back() ==
        "task " + mc.string() +
            ": 2 multiple-choice items, longest continuation 10 bytes (line 2; longer than model.seq_len = 8: "
            "scored in rolling pieces)");
  write_file(lw, "the cat sat on the mat\n");
  const Recipe fits = inputs_recipe(dir, text_data(dir), tasks(lw));
  CHECK(check_inputs(fits).back() == "task " + lw.string() + ": 1 last-word items, longest continuation 4 bytes");

  // A trained tokenizer decides the lengths: parsed, and lengths are never an error.
  const Recipe trained =
      inputs_recipe(dir, text_data(dir) + "\ntokenizer = \"sentencepiece\"\nvocab_size = 300", tasks(mc));
  CHECK(check_inputs(trained).back() ==
        "task " + mc.string() + ": 2 multiple-choice items, longest continuation 10 bytes");
}

TEST_CASE("Task files with nanogpt data are refused: there is no tokenizer", "[study][recipe][preflight]") {
  testing::ScratchDir dir("preflight_nanogpt_tasks");
  std::filesystem::create_directories(dir.path() / "owt");
  write_file(dir.path() / "owt/train.bin", std::string(18, '\0'));
  write_file(dir.path() / "owt/val.bin", std::string(36, '\0'));
  write_file(dir.path() / "lw.txt", "the cat sat on the mat\n");
  const Recipe recipe = inputs_recipe(dir, nanogpt_data(dir), tasks(dir.path() / "lw.txt"));
  CHECK_THROWS_AS(check_inputs(recipe), RecipeError);
  CHECK_THROWS_WITH(check_inputs(recipe),
                    Catch::Contains(": trial base: eval.tasks = " + (dir.path() / "lw.txt").string() +
                                    ": expected data.format = \"text\""));
}

}  // namespace mose::study::recipe
