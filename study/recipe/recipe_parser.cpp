// From merged recipe settings to a RecipePlan: each top-level section is dispatched to
// its reader; every engine key, wherever it is written, goes through the key table.
#include "study/recipe/recipe_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "study/recipe/recipe_source.h"
#include "study/recipe/recipe_values.h"

namespace mose::study::recipe {
namespace {

const std::vector<std::string> kSections{"include", "study", "data",  "model", "train",
                                         "eval",    "modes", "sweep", "trial", "policy"};
const std::vector<std::string> kEngineSections{"data", "model", "train", "eval"};

bool is_empty_table(const toml::node& node) {
  const toml::table* table = node.as_table();
  return table != nullptr && table->empty();
}

bool valid_name(std::string_view name, std::string_view extra) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           extra.find(c) != std::string_view::npos;
  });
}

// A study name is the folder out/<name> and a store key: "." and ".." would put the study
// in or above out/, a leading '.' would hide it, and past a few hundred bytes it is no
// longer a file name (NAME_MAX is 255 on Linux).
constexpr std::size_t kMaxStudyName = 128;
constexpr std::string_view kExpectedStudyName =
    "a name of 1 to 128 letters, digits, '_', '.' or '-' that does not start with '.' (it names the study's folder)";

bool valid_study_name(std::string_view name) {
  return valid_name(name, ".") && name.front() != '.' && name.size() <= kMaxStudyName;
}

std::string join(const std::vector<std::string>& path, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < path.size(); ++i) out += (i > from ? "." : "") + path[i];
  return out;
}

// An unknown engine key: close matches among all keys, else the keys of the deepest
// known table it names ("model.router."), else the engine tables.
[[noreturn]] void unknown_engine_key(const Where& where, std::string_view shown, const std::string& key) {
  if (!close_matches(key, core::spec::setting_names()).empty())
    throw unknown_key_error(where, shown, key, core::spec::setting_names());
  for (std::size_t dot = key.rfind('.'); dot != std::string::npos && dot > 0; dot = key.rfind('.', dot - 1)) {
    const std::vector<std::string> siblings = core::spec::setting_names(key.substr(0, dot + 1));
    if (!siblings.empty()) throw unknown_key_error(where, shown, key, siblings);
  }
  throw recipe_error(where, shown, "unknown key", "an engine key under data., model., train. or eval.");
}

// `key` (an engine key) set to `node`; `shown` is the key as the recipe spells it.
Override engine_override(const Where& where, std::string_view shown, const std::string& key, const toml::node& node) {
  const RecipeKey* row = core::spec::find_setting(key);
  if (row == nullptr) unknown_engine_key(where, shown, key);
  return Override{row, read_field(*row, node, shown)};
}

// Evaluation settings (eval.*) apply to the whole study: its training trials are
// identified without them, so a mode, an axis or a [[trial]] that set them would
// name trials that differ in nothing they train.
void require_training_key(const Where& where, std::string_view shown, const Override& o) {
  if (o.key->role != core::spec::SettingRole::kEvaluation) return;
  throw recipe_error(where, shown,
                     fmt::format("{} is an evaluation setting, the same for every trial of a study", o.key->key),
                     fmt::format("{} in the [{}] table (or a separate study for another evaluation)", o.key->key,
                                 o.key->key.substr(0, o.key->key.find('.'))));
}

// The elements of an array of tables ([[trial]], [[policy]]).
std::vector<const toml::table*> table_array(const Setting& s, std::string_view what) {
  const std::string expected = fmt::format("an array of tables ([[{}]])", what);
  if (s.path.size() > 1) throw recipe_error(s.segment_where[0], s.path[0], "got a table", expected);
  const toml::array* array = s.value->as_array();
  if (array == nullptr) throw recipe_error(s.where, s.key, "got " + describe_node(*s.value), expected);
  std::vector<const toml::table*> tables;
  for (const toml::node& item : *array) {
    if (!item.is_table()) throw recipe_error(where_of(item.source()), s.key, "got " + describe_node(item), expected);
    tables.push_back(item.as_table());
  }
  return tables;
}

class Interpreter {
 public:
  explicit Interpreter(RecipePlan& plan) : plan_(plan) {}

  void read(const Setting& s) {
    const std::string& section = s.path.front();
    if (section == "study") {
      study(s);
    } else if (std::find(kEngineSections.begin(), kEngineSections.end(), section) != kEngineSections.end()) {
      // An empty [model.router] declares nothing; accept it when it names a table.
      if (is_empty_table(*s.value) && !core::spec::setting_names(s.key + ".").empty()) return;
      plan_.base.push_back(engine_override(s.where, s.key, s.key, *s.value));
    } else if (section == "modes") {
      mode(s);
    } else if (section == "sweep") {
      axis(s);
    } else if (section == "trial") {
      trials_ = &s;  // read in finish(): a [[trial]] may name a mode defined further down
    } else if (section == "policy") {
      policies(s);
    } else if (!close_matches(s.key, core::spec::setting_names()).empty()) {
      throw unknown_key_error(s.where, s.key, s.key, core::spec::setting_names());  // "modle.n_layer"
    } else {
      throw unknown_key_error(s.segment_where[0], section, section, kSections);
    }
  }

  void finish() {
    if (trials_ != nullptr) trials(*trials_);
    if (plan_.name.empty()) {
      throw recipe_error(Where{plan_.path.string()}, "study.name", "missing",
                         "a [study] table with name = \"...\" (letters, digits, '_', '.' or '-')");
    }
  }

 private:
  void study(const Setting& s) {
    if (s.path.size() == 1 && is_empty_table(*s.value)) return;
    if (s.key == "study.name") {
      plan_.name = read_string(*s.value, s.key, kExpectedStudyName);
      if (!valid_study_name(plan_.name)) {
        throw recipe_error(where_of(s.value->source()), s.key, "got " + describe_node(*s.value), kExpectedStudyName);
      }
    } else if (s.key == "study.description") {
      plan_.description = read_string(*s.value, s.key, "a string");
    } else if (s.key == "study.seeds") {
      const FieldValue seeds = read_value(ValueKind::kInteger, 1, kMaxSeeds, *s.value, s.key);
      plan_.seeds = static_cast<int>(std::get<int64_t>(seeds));
      plan_.seeds_where = s.where;
    } else {
      throw unknown_key_error(s.where, s.key, s.key, {"study.name", "study.description", "study.seeds"});
    }
  }

  void mode(const Setting& s) {
    if (s.path.size() == 1) {
      if (is_empty_table(*s.value)) return;
      throw recipe_error(s.where, s.key, "got " + describe_node(*s.value), "a table of [modes.<name>] tables");
    }
    const std::string& name = s.path[1];
    if (!valid_name(name, "")) {
      throw recipe_error(s.segment_where[1], s.key, fmt::format("invalid mode name '{}'", name),
                         "a name of letters, digits, '_' or '-'");
    }
    auto it = std::find_if(plan_.modes.begin(), plan_.modes.end(), [&](const ModePlan& m) { return m.name == name; });
    if (it == plan_.modes.end()) it = plan_.modes.insert(plan_.modes.end(), ModePlan{name, {}});
    if (s.path.size() == 2) {
      if (is_empty_table(*s.value)) return;
      throw recipe_error(s.where, s.key, "got " + describe_node(*s.value), "a table of engine-key overrides");
    }
    it->overrides.push_back(engine_override(s.where, s.key, join(s.path, 2), *s.value));
    require_training_key(s.where, s.key, it->overrides.back());
  }

  void axis(const Setting& s) {
    if (s.path.size() == 1) {
      if (is_empty_table(*s.value)) return;
      throw recipe_error(s.where, s.key, "got " + describe_node(*s.value), "a table of axes (key = [values])");
    }
    const std::string key = join(s.path, 1);
    if (key == "mode") {
      throw recipe_error(s.where, s.key, "mode is not a [sweep] key (every [modes.*] table is already an axis)",
                         "an engine key");
    }
    const RecipeKey* row = core::spec::find_setting(key);
    if (row == nullptr) unknown_engine_key(s.where, s.key, key);
    const std::string one = core::spec::kind_expectation(row->kind);
    const toml::array* values = s.value->as_array();
    if (values == nullptr) {
      throw recipe_error(where_of(s.value->source()), s.key, "got " + describe_node(*s.value),
                         "an array of values, one per trial, each " + one);
    }
    if (values->empty()) {
      throw recipe_error(where_of(s.value->source()), s.key, "empty axis", "at least one value, each " + one);
    }
    AxisPlan axis{row, {}, s.where};
    const bool list_valued = row->kind == ValueKind::kFloatList || row->kind == ValueKind::kStringList;
    for (const toml::node& item : *values) {
      if (list_valued && !item.is_array()) {
        throw recipe_error(where_of(item.source()), s.key, "got " + describe_node(item),
                           one + " (each value of this axis is a whole list)");
      }
      axis.values.push_back(Override{row, read_field(*row, item, s.key)});
    }
    require_training_key(s.where, s.key, axis.values.front());
    plan_.axes.push_back(std::move(axis));
  }

  void trials(const Setting& s) {
    const std::vector<const toml::table*> tables = table_array(s, "trial");
    for (std::size_t i = 0; i < tables.size(); ++i) {
      const std::string shown = fmt::format("trial[{}]", i);
      TrialPlan trial{where_of(tables[i]->source()), std::nullopt, {}};
      for (const Setting& item : flatten(*tables[i], {}, shown + ".")) {
        const std::string item_shown = shown + "." + item.key;
        if (item.key == "mode") {
          trial.mode = find_mode(*item.value, item_shown);
        } else {
          trial.overrides.push_back(engine_override(item.where, item_shown, item.key, *item.value));
          require_training_key(item.where, item_shown, trial.overrides.back());
        }
      }
      plan_.trials.push_back(std::move(trial));
    }
  }

  std::size_t find_mode(const toml::node& node, const std::string& shown) const {
    std::vector<std::string> names;
    for (const ModePlan& m : plan_.modes) names.push_back(m.name);
    const std::string expected =
        names.empty() ? "no mode: this recipe defines no [modes.*] tables" : "one of " + join_alternatives(names, ", ");
    const std::string name = read_string(node, shown, expected);
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      throw recipe_error(where_of(node.source()), shown, fmt::format("unknown mode '{}'", name), expected);
    }
    return static_cast<std::size_t>(it - names.begin());
  }

  void policies(const Setting& s) {
    const std::vector<const toml::table*> tables = table_array(s, "policy");
    for (std::size_t i = 0; i < tables.size(); ++i) {
      plan_.policies.push_back(policy(*tables[i], fmt::format("policy[{}]", i)));
    }
  }

  static PolicyPlan policy(const toml::table& table, const std::string& shown);

  RecipePlan& plan_;
  const Setting* trials_ = nullptr;
};

// The checked value of one policy parameter: its type, non-emptiness and range.
FieldValue policy_value(const core::spec::PolicyParameter& parameter, const toml::node& node,
                        const std::string& shown) {
  const int64_t lowest = std::numeric_limits<int64_t>::min(), highest = std::numeric_limits<int64_t>::max();
  FieldValue value = read_value(parameter.kind, lowest, highest, node, shown);
  const toml::array* array = node.as_array();
  if (parameter.non_empty && array != nullptr && array->empty()) {
    throw recipe_error(where_of(node.source()), shown, "got " + describe_node(node), parameter.expected);
  }
  if (parameter.accepts != nullptr) {
    std::vector<const toml::node*> numbers{&node};
    if (array != nullptr) {
      numbers.clear();
      for (const toml::node& item : *array) numbers.push_back(&item);
    }
    for (const toml::node* number : numbers) {
      const double v =
          number->is_integer() ? static_cast<double>(number->as_integer()->get()) : number->as_floating_point()->get();
      if (!parameter.accepts(v)) {
        throw recipe_error(where_of(number->source()), shown, "got " + describe_node(*number), parameter.expected);
      }
    }
  }
  return value;
}

PolicyPlan Interpreter::policy(const toml::table& table, const std::string& shown) {
  PolicyPlan plan{where_of(table.source()), shown, nullptr, {}};
  const std::vector<Setting> items = flatten(table, {}, shown + ".");
  const auto name_item = std::find_if(items.begin(), items.end(), [](const Setting& s) { return s.key == "name"; });
  const std::string expected_name = "one of " + join_alternatives(core::spec::width_policies().names(), ", ");
  if (name_item == items.end()) throw recipe_error(plan.where, shown + ".name", "missing", expected_name);
  const std::string name = read_string(*name_item->value, shown + ".name", expected_name);
  plan.kind = core::spec::width_policies().find(name);
  if (plan.kind == nullptr) {
    throw recipe_error(where_of(name_item->value->source()), shown + ".name",
                       fmt::format("unknown width policy '{}'", name), expected_name);
  }
  std::vector<std::string> known{"name"};
  for (const core::spec::PolicyParameter& parameter : plan.kind->parameters) known.push_back(parameter.name);
  core::spec::PolicyValues values;
  for (const Setting& item : items) {
    if (item.key == "name") continue;
    const auto parameter = std::find_if(plan.kind->parameters.begin(), plan.kind->parameters.end(),
                                        [&](const core::spec::PolicyParameter& p) { return p.name == item.key; });
    if (parameter == plan.kind->parameters.end()) {
      throw unknown_key_error(item.where, shown + "." + item.key, item.key, known);
    }
    values[item.key] = policy_value(*parameter, *item.value, shown + "." + item.key);
  }
  for (const core::spec::PolicyParameter& parameter : plan.kind->parameters) {
    if (!values.contains(parameter.name)) {
      throw recipe_error(plan.where, shown + "." + parameter.name, fmt::format("missing for policy '{}'", name),
                         parameter.expected);
    }
  }
  plan.policies = plan.kind->expand(values);
  for (const core::spec::WidthPolicySpec& policy : plan.policies) {
    try {
      policy.validate();
    } catch (const ConfigError& error) {
      throw RecipeError(fmt::format("[[policy]] name = \"{}\": {}", policy.name, error.what()));
    }
  }
  return plan;
}

}  // namespace

RecipePlan parse_recipe(const std::filesystem::path& path) {
  RecipeSource source = load_recipe_source(path);
  RecipePlan plan;
  plan.path = path;
  plan.files = source.files;
  Interpreter interpreter(plan);
  for (const Setting& setting : source.settings) interpreter.read(setting);
  interpreter.finish();
  return plan;
}

}  // namespace mose::study::recipe
