// Checks of a recipe against the machine about to run it: memory per device.
#include "study/recipe/recipe_preflight.h"

#include <catch2/catch.hpp>

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

}  // namespace

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

}  // namespace mose::study::recipe
