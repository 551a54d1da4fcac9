// Canonical JSON and trial hashes: the text is canonical (sorted keys, shortest
// numbers, escaped strings), the hash of a known config is pinned, and it depends on
// every setting but not on how the recipe wrote them.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <set>

#include "core/config_entries.h"
#include "study/canonical_json.h"
#include "study/recipe.h"
#include "study/recipe_keys.h"

namespace mose::study {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(MOSE_SOURCE_DIR) / "tests/study/recipes";

std::string hash_of(const core::RunConfig& config) { return core::stable_hash(to_canonical_json(config_json(config))); }

// Two different values of `key`'s type.
std::pair<FieldValue, FieldValue> two_values(const RecipeKey& key) {
  switch (key.kind) {
    case ValueKind::kInteger: return {int64_t{3}, int64_t{5}};
    case ValueKind::kFloat: return {0.25, 0.5};
    case ValueKind::kBool: return {true, false};
    case ValueKind::kString: return {std::string("a"), std::string("b")};
    case ValueKind::kFloatList: return {std::vector<double>{0.5}, std::vector<double>{0.5, 1.0}};
    case ValueKind::kStringList: return {std::vector<std::string>{"x"}, std::vector<std::string>{"x", "y"}};
  }
  return {};
}

}  // namespace

TEST_CASE("Canonical JSON sorts keys at every level and has no whitespace", "[study][recipe]") {
  const JsonValue value(JsonValue::Object{
      {"zeta", JsonValue(JsonValue::Array{JsonValue(1), JsonValue(true), JsonValue(nullptr), JsonValue("s")})},
      {"alpha", JsonValue(JsonValue::Object{{"b", JsonValue(2.5)}, {"a", JsonValue(JsonValue::Object{})}})},
      {"Beta", JsonValue(uint64_t{18446744073709551615ULL})},
  });
  CHECK(to_canonical_json(value) ==
        R"({"Beta":18446744073709551615,"alpha":{"a":{},"b":2.5},"zeta":[1,true,null,"s"]})");
  CHECK_THROWS_AS(to_canonical_json(JsonValue(JsonValue::Object{{"a", JsonValue(1)}, {"a", JsonValue(2)}})),
                  std::logic_error);
}

TEST_CASE("Canonical JSON numbers are the shortest round-trip form", "[study][recipe]") {
  CHECK(to_canonical_json(JsonValue(0.1)) == "0.1");
  CHECK(to_canonical_json(JsonValue(3e-3)) == "0.003");
  CHECK(to_canonical_json(JsonValue(1e-8)) == "1e-08");
  CHECK(to_canonical_json(JsonValue(1.0)) == "1");
  CHECK(to_canonical_json(JsonValue(1e21)) == "1e+21");
  CHECK(to_canonical_json(JsonValue(int64_t{-42})) == "-42");
  CHECK(to_canonical_json(JsonValue(std::numeric_limits<double>::infinity())) == "\"inf\"");
  CHECK(to_canonical_json(JsonValue(std::nan(""))) == "\"nan\"");
  const double third = 1.0 / 3.0;
  CHECK(std::stod(to_canonical_json(JsonValue(third))) == third);
}

TEST_CASE("Canonical JSON escapes strings", "[study][recipe]") {
  CHECK(json_quote("plain") == "\"plain\"");
  CHECK(json_quote("a\"b\\c") == R"("a\"b\\c")");
  CHECK(json_quote("line\nbreak\ttab\r") == R"("line\nbreak\ttab\r")");
  CHECK(json_quote(std::string("nul\0bell\x07", 9)) == R"("nul\u0000bell\u0007")");
  CHECK(json_quote("é✓") == "\"é✓\"");  // UTF-8 passes through
}

TEST_CASE("The config JSON nests config_entries by dots, typed", "[study][recipe]") {
  const std::string json = to_canonical_json(config_json(core::RunConfig{}));
  CHECK_THAT(json, Catch::Matchers::StartsWith(R"({"data":{"format":"text","max_bytes":0,)"));
  CHECK_THAT(json, Catch::Matchers::Contains(R"("router":{"balance_loss_coef":0.01,)"));
  CHECK_THAT(json, Catch::Matchers::Contains(R"("widths":[0.25,0.5,0.75,1])"));
  CHECK_THAT(json, Catch::Matchers::Contains(R"("sources":["/usr/share/dictd/gcide.dict.dz"])"));
  CHECK_THAT(json, Catch::Matchers::Contains(R"("renormalize":true)"));
  CHECK_THAT(json, Catch::Matchers::Contains(R"(},"eval":{"batch_size":16,"tokens":16384},"model":{)"));
  CHECK_THAT(json, !Catch::Matchers::Contains("cache_dir"));
}

TEST_CASE("Every engine setting has exactly one recipe key", "[study][recipe]") {
  std::set<std::string> listed, keys;
  std::set<std::string> execution;
  for (const std::string& router : core::router_types()) {  // a regime's own keys are listed for it only
    core::RunConfig config;
    config.model.router.type = router;
    for (const auto& [key, text] : core::config_entries(config)) listed.insert(key);
  }
  for (const auto& [key, text] : core::execution_entries(core::RunConfig{})) execution.insert(key);
  for (const RecipeKey& key : recipe_keys()) keys.insert(key.key);
  for (const std::string& key : execution) CHECK(keys.contains(key));
  CHECK(keys.size() == recipe_keys().size());  // no key twice
  for (const std::string& key : listed) {
    INFO(key << " is in config_entries but has no recipe key (so it hashes as untyped text)");
    CHECK(keys.contains(key));
  }
  for (const std::string& key : keys) {
    if (key == "data.cache_dir") continue;  // where tokens are cached: not part of a trial's identity
    if (key == "eval.tasks") continue;      // listed only when set (checked below)
    if (execution.contains(key)) continue;  // how a run executes: not part of its identity
    INFO(key << " is a recipe key but not in config_entries (so it would not change the hash)");
    CHECK(listed.contains(key));
  }
  core::RunConfig with_tasks;
  with_tasks.eval.tasks = {"tasks/wordnet-gloss.jsonl"};
  bool tasks_listed = false;
  for (const auto& [key, text] : core::config_entries(with_tasks)) tasks_listed |= key == "eval.tasks";
  CHECK(tasks_listed);
}

TEST_CASE("A routing regime's own settings change only that regime's hash", "[study][recipe]") {
  core::RunConfig topk, top_p;
  top_p.model.router.type = "top_p";
  const std::string topk_hash = core::training_fingerprint(topk), top_p_hash = core::training_fingerprint(top_p);
  CHECK(topk_hash != top_p_hash);
  topk.model.router.top_p = 0.9;  // read by top_p only
  top_p.model.router.top_p = 0.9;
  CHECK(core::training_fingerprint(topk) == topk_hash);  // adding regimes left existing hashes alone
  CHECK(core::training_fingerprint(top_p) != top_p_hash);
}

TEST_CASE("Changing any setting changes the training hash", "[study][recipe]") {
  for (const auto& [name, text] : core::config_entries(core::RunConfig{})) {
    const RecipeKey* key = find_recipe_key(name);
    REQUIRE(key != nullptr);
    const auto [a, b] = two_values(*key);
    core::RunConfig with_a, with_b;
    key->set(with_a, a);
    key->set(with_b, b);
    INFO(name);
    CHECK(hash_of(with_a) != hash_of(with_b));
  }
}

TEST_CASE("Execution settings do not change the training hash", "[study][recipe]") {
  core::RunConfig a, b;
  b.train.device = "cuda:1";
  b.train.log_every = 7;
  b.train.checkpoint_every = 100;
  CHECK(hash_of(a) == hash_of(b));
}

TEST_CASE("Training hashes are pinned and independent of how the recipe is written", "[study][recipe]") {
  const Recipe pinned = load_recipe(kFixtures / "pinned.toml");
  const Recipe reordered = load_recipe(kFixtures / "pinned_reordered.toml");
  REQUIRE(pinned.training.size() == 1);
  REQUIRE(reordered.training.size() == 1);
  // Computed once and pinned: a change here means every stored study loses its trials.
  CHECK(pinned.training[0].config_hash == "e6d2b80b3970f94b");
  CHECK(pinned.training[0].config_hash == core::stable_hash(pinned.training[0].config_json));
  CHECK(reordered.training[0].config_json == pinned.training[0].config_json);
  CHECK(reordered.training[0].config_hash == pinned.training[0].config_hash);
}

}  // namespace mose::study
