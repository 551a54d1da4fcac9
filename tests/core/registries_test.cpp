// Every extension point has a torch-free registry of descriptors (core/spec/) and a
// torch registry of implementations keyed by the same names; each must name exactly the
// same extensions, or a recipe could select what the engine cannot build (or the
// reverse: an implementation no recipe can reach).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/model/language_model.h"
#include "core/model/routing.h"
#include "core/policy/width_policies.h"
#include "core/spec/model_family.h"
#include "core/spec/routing_regime.h"
#include "core/spec/width_policy.h"
#include "core/spec/width_sampler.h"
#include "core/train/width_sampler.h"

using namespace mose::core;

namespace {

// The <name>s of core/spec/<prefix><name>.cpp, sorted.
std::vector<std::string> described_in(const std::string& prefix) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(MOSE_SOURCE_DIR) / "core/spec")) {
    const std::string file = entry.path().filename().string();
    if (file.starts_with(prefix) && file.ends_with(".cpp")) {
      names.push_back(file.substr(prefix.size(), file.size() - prefix.size() - 4));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("each extension point names the same extensions on both sides of the torch line", "[core][registry]") {
  CHECK(spec::router_regimes().names() == model::router_factories().names());
  CHECK(spec::width_samplers().names() == train::width_pass_builders().names());
  CHECK(spec::width_policies().names() == policy::width_policy_factories().names());
  CHECK(spec::model_families().names() == model::model_factories().names());
  // One descriptor file per extension, core/spec/<kind>_<name>.cpp, each registered: a
  // registration the linker dropped (or a file that registers under another name) shows here.
  CHECK(spec::router_regimes().names() == described_in("router_"));
  CHECK(spec::width_samplers().names() == described_in("sampler_"));
  CHECK(spec::width_policies().names() == described_in("policy_"));
  CHECK(spec::model_families().names() == described_in("family_"));
}

TEST_CASE("an extension missing a required callback is refused when it registers", "[core][registry]") {
  spec::WidthSamplerKind lazy;
  lazy.name = "lazy";
  spec::Registry<spec::WidthSamplerKind> samplers("width sampler", "train.width.sampler");
  CHECK_THROWS_WITH(samplers.add(lazy), "width sampler 'lazy' has no passes_per_step");
  spec::ModelFamily empty;
  empty.name = "empty";
  spec::Registry<spec::ModelFamily> families("model family", "model.family");
  CHECK_THROWS_WITH(families.add(empty), "model family 'empty' has no non_expert_flops");
  spec::WidthPolicyKind none;
  none.name = "none";
  spec::Registry<spec::WidthPolicyKind> policies("width policy", "policy.name");
  CHECK_THROWS_WITH(policies.add(none), "width policy 'none' has no expand");
  model::RouterFactory nobody;
  nobody.name = "nobody";
  spec::Registry<model::RouterFactory> routers("router", "model.router.type");
  CHECK_THROWS_WITH(routers.add(nobody), "router 'nobody' has no make");
}
