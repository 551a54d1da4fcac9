// One engine setting, declared once: its dotted key (the recipe's spelling), value type,
// role in a trial's identity, valid range and meaning, and how to read and write it on a
// RunConfig. The settings table (settings.h) is made of these rows; recipes, the
// canonical config listing, `mose-study check` and the recipe docs all read it.
//
// Settings that belong to one registered extension (a routing regime's, a width
// sampler's, a model family's) are declared by that extension's descriptor and kept in
// an OwnedSettings bag on the config struct, so adding an extension never edits a
// central struct or list.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mose::core::spec {

struct RunConfig;

enum class SettingKind { kInteger, kFloat, kBool, kString, kFloatList, kStringList };

// A type-checked value, one alternative per SettingKind.
using SettingValue = std::variant<int64_t, double, bool, std::string, std::vector<double>, std::vector<std::string>>;

// What a setting decides, and so which identity it joins.
enum class SettingRole {
  kTraining,    // the trained weights: the training fingerprint and the trial hash
  kEvaluation,  // what an evaluation measures: the trial hash
  kExecution,   // how and where a run executes (device, cadence): never hashed
  kLocation,    // where prepared files are cached: never hashed
};

// The valid values of a setting. `check` returns nullopt for a valid value, else what was
// expected ("expected at least 1"); an empty `check` accepts everything of the right type
// (the constraint is then cross-field, checked by a descriptor's validate, and `text`
// documents it).
struct SettingRange {
  std::string text;
  std::function<std::optional<std::string>(const SettingValue&)> check;

  static SettingRange any(std::string text = "");
  static SettingRange positive();
  // Numbers from lowest to highest, both included: "1 to 1024" + note (" (0 = off)").
  static SettingRange between(int64_t lowest, int64_t highest, std::string note = "");
  // Numbers between lo and hi, each end open or closed: "in [0, 1)" + note.
  static SettingRange interval(double lo, bool lo_closed, double hi, bool hi_closed, std::string note = "");
  static SettingRange one_of(std::vector<std::string> names);
  // Any other rule: "expected <text>" unless `accepts`.
  static SettingRange satisfying(std::string text, std::function<bool(const SettingValue&)> accepts);
  // Names from a registry, read when checked (registries fill during static
  // initialisation); the message is "unknown <what>; known: a, b".
  static SettingRange registered(std::string what, std::function<std::vector<std::string>()> names);
};

struct Setting {
  std::string key;  // dotted path: "model.router.top_k"
  SettingKind kind = SettingKind::kString;
  SettingRole role = SettingRole::kTraining;
  std::string description;
  SettingRange range;
  int64_t min_integer = 0;  // kInteger: what the field's type can hold (recipes read int64)
  int64_t max_integer = 0;
  std::string owner;  // "" for engine-wide settings, else "routing regime 'deepseek'" etc.
  std::function<SettingValue(const RunConfig&)> get;
  std::function<void(RunConfig&, const SettingValue&)> set;
  // Whether `config` lists this setting in its identity; empty = always. An extension's own
  // settings are listed only when it is selected, so adding one never changes the hash of
  // a trial that does not use it.
  std::function<bool(const RunConfig&)> listed;
  // When `listed` lists it, for the docs: "" (always), "when selected", "when set", ...
  std::string listed_when;
  // Owned settings: the default their owner declared, and how to make `config` select
  // their owner. Engine-wide settings leave both empty: their default is the config
  // struct's initialiser.
  std::optional<SettingValue> declared_default;
  std::function<void(RunConfig&)> select_owner;

  bool is_listed(const RunConfig& config) const { return !listed || listed(config); }
  SettingValue default_value() const;
};

// "an integer", "an array of numbers", ... for messages.
std::string kind_expectation(SettingKind kind);
std::string kind_name(SettingKind kind);  // "integer", "float", ... for docs

// Whether `value` holds `kind`'s alternative.
bool holds_kind(const SettingValue& value, SettingKind kind);

// The canonical text of a value in config listings and fingerprints: strings bare,
// numbers in their shortest round-trip form, lists as "[a,b]". Stable forever: the
// training fingerprint of every stored checkpoint is a hash of these texts.
std::string entry_text(const SettingValue& value);

// A value as messages show it: strings quoted ('relu'), everything else as entry_text.
std::string shown_value(const SettingValue& value);

// The value as `kind` holds it: an integer becomes a float for a float setting; anything
// else of the wrong kind is a ConfigError "<key> = <value>: expected <kind>".
SettingValue as_kind(std::string_view key, SettingKind kind, SettingValue value);

// ConfigError "<key> = <value>: expected <range>" when the setting's current value in
// `config` is out of its range.
void check_range(const Setting& setting, const RunConfig& config);

// Settings the extensions of one table own ("model.router.": the routing regimes'), by
// full key, on the config struct that selects among them. Unset keys read as the default
// their owner declared. Only keys of registered owned settings directly under `table` may
// be set; values are type-checked (an integer is accepted for a float).
class OwnedSettings {
 public:
  explicit OwnedSettings(std::string table) : table_(std::move(table)) {}

  void set(std::string_view key, SettingValue value);  // ConfigError naming the key
  SettingValue get(std::string_view key) const;        // value or declared default
  int64_t integer(std::string_view key) const;
  double number(std::string_view key) const;
  bool flag(std::string_view key) const;
  std::string text(std::string_view key) const;

 private:
  std::string table_;
  std::map<std::string, SettingValue, std::less<>> values_;
};

}  // namespace mose::core::spec
