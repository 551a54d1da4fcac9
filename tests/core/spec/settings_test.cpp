// The settings table: one row per key, every row reads back what it sets, extensions'
// settings are listed exactly when their owner is selected, ranges give messages naming
// the key, and owned settings are stored, typed and defaulted as declared.
#include "core/spec/settings.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/errors.h"
#include "core/spec/model_family.h"
#include "core/spec/routing_regime.h"
#include "core/spec/width_sampler.h"

using namespace mose::core::spec;

namespace {

// Two different values of `kind`.
std::pair<SettingValue, SettingValue> two_values(SettingKind kind) {
  switch (kind) {
    case SettingKind::kInteger: return {int64_t{3}, int64_t{5}};
    case SettingKind::kFloat: return {0.25, 0.5};
    case SettingKind::kBool: return {true, false};
    case SettingKind::kString: return {std::string("a"), std::string("b")};
    case SettingKind::kFloatList: return {std::vector<double>{0.5}, std::vector<double>{0.5, 1.0}};
    case SettingKind::kStringList: return {std::vector<std::string>{"x"}, std::vector<std::string>{"x", "y"}};
  }
  return {};
}

// The default config, made valid: text data needs a cache folder.
RunConfig runnable() {
  RunConfig c;
  c.data.cache_dir = "cache";
  return c;
}

std::set<std::string> listed_keys(const RunConfig& config) {
  std::set<std::string> keys;
  for (const auto& [key, text] : config_entries(config)) keys.insert(key);
  return keys;
}

}  // namespace

TEST_CASE("every setting has one row that reads back what it sets", "[core][spec][settings]") {
  std::set<std::string> keys;
  for (const Setting& s : all_settings()) {
    INFO(s.key);
    CHECK(keys.insert(s.key).second);
    CHECK(find_setting(s.key) == &s);
    CHECK_FALSE(s.description.empty());
    CHECK(holds_kind(s.default_value(), s.kind));
    for (const SettingValue& value : {two_values(s.kind).first, two_values(s.kind).second}) {
      RunConfig config;
      s.set(config, value);
      CHECK(s.get(config) == value);
    }
  }
  CHECK(find_setting("model.no_such_key") == nullptr);
  CHECK(setting_names("model.router.").front() == "model.router.type");
}

TEST_CASE("an extension's own settings are listed exactly when it is selected", "[core][spec][settings]") {
  for (const RouterRegime& regime : router_regimes().entries()) {
    RunConfig selected;
    selected.model.router.type = regime.name;
    const std::set<std::string> listed = listed_keys(selected);
    CHECK(listed.contains("model.router.type"));
    for (const RouterRegime& other : router_regimes().entries()) {
      for (const OwnedSetting& s : other.settings) {
        INFO(regime.name << " selected, " << other.name << "'s " << s.name);
        CHECK(listed.contains("model.router." + s.name) == (other.name == regime.name));
      }
    }
  }
  for (const WidthSamplerKind& sampler : width_samplers().entries()) {
    RunConfig selected;
    selected.train.width.sampler = sampler.name;
    const std::set<std::string> listed = listed_keys(selected);
    for (const WidthSamplerKind& other : width_samplers().entries()) {
      for (const OwnedSetting& s : other.settings) {
        INFO(sampler.name << " selected, " << other.name << "'s " << s.name);
        CHECK(listed.contains("train.width." + s.name) == (s.always_listed || other.name == sampler.name));
      }
    }
  }
  // model.family is listed only away from its default, so older trials keep their hashes.
  CHECK_FALSE(listed_keys(RunConfig{}).contains("model.family"));
  for (const ModelFamily& family : model_families().entries()) {
    RunConfig selected;
    selected.model.family = family.name;
    CHECK(listed_keys(selected).contains("model.family") == (family.name != "gpt"));
  }
}

TEST_CASE("each identity role reaches the listings it should", "[core][spec][settings]") {
  const RunConfig base;
  const std::string fingerprint = training_fingerprint(base);
  for (const Setting& s : all_settings()) {
    RunConfig a, b;
    if (s.select_owner) s.select_owner(a), s.select_owner(b);  // an extension's setting counts once it is selected
    s.set(a, two_values(s.kind).first);
    s.set(b, two_values(s.kind).second);
    REQUIRE(s.is_listed(a));
    REQUIRE(s.is_listed(b));
    INFO(s.key);
    const bool identity = s.role == SettingRole::kTraining || s.role == SettingRole::kEvaluation;
    CHECK((config_entries(a) != config_entries(b)) == identity);
    CHECK((training_fingerprint(a) != training_fingerprint(b)) == (s.role == SettingRole::kTraining));
  }
  std::vector<std::string> execution;
  for (const Setting& s : all_settings()) {
    if (s.role == SettingRole::kExecution) execution.push_back(s.key);
  }
  CHECK(execution == std::vector<std::string>{"train.device", "train.log_every", "train.checkpoint_every"});
  CHECK(fingerprint.size() == 16);
}

TEST_CASE("entry texts are the canonical listing's forms", "[core][spec][settings]") {
  CHECK(entry_text(int64_t{-3}) == "-3");
  CHECK(entry_text(0.003) == "0.003");
  CHECK(entry_text(1.0) == "1");
  CHECK(entry_text(1e-8) == "1e-08");
  CHECK(entry_text(true) == "true");
  CHECK(entry_text(std::string("a b")) == "a b");
  CHECK(entry_text(std::vector<double>{0.25, 1.0}) == "[0.25,1]");
  CHECK(entry_text(std::vector<std::string>{"x.txt", "y"}) == "[x.txt,y]");
  CHECK(shown_value(std::string("relu")) == "'relu'");
}

TEST_CASE("out-of-range settings name the key, the value and what was expected", "[core][spec][settings]") {
  RunConfig c = runnable();
  c.train.optim.beta2 = 1.0;
  CHECK_THROWS_WITH(c.validate(), "train.optim.beta2 = 1: expected in [0, 1)");
  c = runnable();
  c.train.optim.grad_clip = -1;
  CHECK_THROWS_WITH(c.validate(), "train.optim.grad_clip = -1: expected in [0, 1000000] (0 = off)");
  c = runnable();
  c.model.router.type = "toppk";
  CHECK_THROWS_WITH(c.validate(), Catch::StartsWith("model.router.type = 'toppk': unknown router; known: "));
  c = runnable();
  c.train.width.sampler = "every";
  CHECK_THROWS_WITH(c.validate(),
                    Catch::StartsWith("train.width.sampler = 'every': unknown width sampler; known: all, "));
  c = runnable();
  c.train.device = "tpu";
  CHECK_THROWS_WITH(c.validate(), "train.device = 'tpu': expected auto, cpu, cuda or cuda:N");
  c = runnable();
  c.model.router.type = "top_p";
  c.model.router.options.set("model.router.top_p", 1.5);
  CHECK_THROWS_WITH(c.validate(), "model.router.top_p = 1.5: expected in (0, 1]");
  c.model.router.type = "topk";  // the top_p value is not checked while top_p is not selected
  CHECK_NOTHROW(c.validate());
}

TEST_CASE("every numeric setting has an upper bound that refuses absurd values", "[core][spec][settings]") {
  // train.seed only names a random stream: every value of its type is a valid seed.
  const std::set<std::string> unbounded{"train.seed"};
  for (const Setting& s : all_settings()) {
    if (s.kind != SettingKind::kInteger && s.kind != SettingKind::kFloat) continue;
    if (unbounded.contains(s.key)) continue;
    std::vector<SettingValue> absurd{1e300, std::numeric_limits<double>::infinity()};
    if (s.kind == SettingKind::kInteger) absurd = {s.max_integer, std::min<int64_t>(s.max_integer, 10'000'000'000'000)};
    for (const SettingValue& value : absurd) {
      RunConfig c = runnable();
      if (s.select_owner) s.select_owner(c);
      REQUIRE_NOTHROW(c.validate());
      s.set(c, value);
      INFO(s.key << " = " << entry_text(value));
      CHECK_THROWS_WITH(c.validate(), Catch::Contains(s.key));
    }
  }
}

TEST_CASE("upper bounds name the key, the value and the bound", "[core][spec][settings]") {
  RunConfig c = runnable();
  c.model.n_layer = 1'000'000'000;
  CHECK_THROWS_WITH(c.validate(), "model.n_layer = 1000000000: expected 1 to 1024");
  c = runnable();
  c.model.seq_len = 2'000'000'000;
  CHECK_THROWS_WITH(c.validate(), "model.seq_len = 2000000000: expected 1 to 1048576");
  c = runnable();
  c.model.n_experts = 100'000'000;
  CHECK_THROWS_WITH(c.validate(), "model.n_experts = 100000000: expected 1 to 4096");
  c = runnable();
  c.train.optim.lr = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(c.validate(), "train.optim.lr = inf: expected in (0, 10]");
  c = runnable();
  c.train.width.widths.clear();
  for (int i = 1; i <= 65; ++i) c.train.width.widths.push_back(i / 65.0);
  CHECK_THROWS_WITH(c.validate(), "train.width.widths = 65 widths: expected at most 64 widths");
  // The largest values a real study could need are accepted (DeepSeek-V3: 61 layers,
  // d_model 7168, 128 heads, 256 routed experts; a 1M-token context).
  c = runnable();
  c.model.n_layer = 1024;
  c.model.d_model = 65536;
  c.model.n_head = 1024;
  c.model.seq_len = 1 << 20;
  c.model.n_experts = 4096;
  c.model.d_ff = c.model.dense_d_ff = 1 << 20;
  CHECK_NOTHROW(c.validate());
}

TEST_CASE("owned settings are typed, defaulted and limited to declared keys", "[core][spec][settings]") {
  OwnedSettings bag("model.router.");
  CHECK(bag.integer("model.router.granularity") == 4);  // the deepseek descriptor's default
  bag.set("model.router.granularity", int64_t{2});
  CHECK(bag.integer("model.router.granularity") == 2);
  bag.set("model.router.expert_capacity", int64_t{3});  // an integer for a float setting
  CHECK(bag.number("model.router.expert_capacity") == 3.0);
  CHECK_THROWS_WITH(bag.set("model.router.granularity", 2.5), "model.router.granularity = 2.5: expected an integer");
  CHECK_THROWS_WITH(bag.set("model.router.granularity", int64_t{1} << 40),
                    Catch::Contains("model.router.granularity = 1099511627776: expected an integer in ["));
  CHECK_THROWS_WITH(bag.set("model.router.granularty", int64_t{2}),
                    "model.router.granularty: not a setting of a registered extension under model.router.");
  CHECK_THROWS_AS(bag.set("model.n_layer", int64_t{2}), mose::ConfigError);  // engine-wide, not owned
  // Another table's owned setting would be stored and never read: refused.
  CHECK_THROWS_WITH(bag.set("train.width.sandwich_random", int64_t{2}),
                    "train.width.sandwich_random: not a setting of a registered extension under model.router.");
  CHECK_THROWS_AS(OwnedSettings("model.").set("model.router.granularity", int64_t{2}), mose::ConfigError);
  CHECK_THROWS_AS(bag.integer("model.router.no_such_setting"), std::logic_error);
}

TEST_CASE("engine-wide settings take an integer for a number and refuse other kinds", "[core][spec][settings]") {
  RunConfig c;
  find_setting("train.optim.lr")->set(c, int64_t{1});
  CHECK(c.train.optim.lr == 1.0);
  CHECK_THROWS_WITH(find_setting("model.n_layer")->set(c, 2.5), "model.n_layer = 2.5: expected an integer");
  CHECK_THROWS_WITH(find_setting("model.positions")->set(c, true), "model.positions = true: expected a string");
  c.train.seed = uint64_t{1} << 63;  // set in code: above what a recipe or the listing can hold
  CHECK_THROWS_AS(training_fingerprint(c), mose::ConfigError);
}
