// Setting ranges, value texts and owned-setting storage (see setting.h).
#include "core/spec/setting.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>

#include "base/errors.h"
#include "core/spec/config.h"
#include "core/spec/settings.h"

namespace mose::core::spec {
namespace {

std::optional<double> as_double(const SettingValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  return std::nullopt;
}

// A range over one number: `accepts` decides, `text` says what was expected.
SettingRange numeric(std::string text, std::function<bool(double)> accepts) {
  SettingRange range;
  range.text = text;
  range.check = [text, accepts](const SettingValue& value) -> std::optional<std::string> {
    const std::optional<double> v = as_double(value);
    if (v && accepts(*v)) return std::nullopt;
    return "expected " + text;
  };
  return range;
}

}  // namespace

SettingRange SettingRange::any(std::string text) { return SettingRange{std::move(text), {}}; }

SettingRange SettingRange::positive() {
  return numeric("positive", [](double v) { return v > 0; });
}

SettingRange SettingRange::between(int64_t lowest, int64_t highest, std::string note) {
  return numeric(fmt::format("{} to {}{}", lowest, highest, note), [lowest, highest](double v) {
    return v >= static_cast<double>(lowest) && v <= static_cast<double>(highest);
  });
}

SettingRange SettingRange::interval(double lo, bool lo_closed, double hi, bool hi_closed, std::string note) {
  return numeric(fmt::format("in {}{}, {}{}{}", lo_closed ? '[' : '(', lo, hi, hi_closed ? ']' : ')', note),
                 [=](double v) { return (lo_closed ? v >= lo : v > lo) && (hi_closed ? v <= hi : v < hi); });
}

SettingRange SettingRange::one_of(std::vector<std::string> names) {
  const std::string text = fmt::format("one of {}", fmt::join(names, ", "));
  SettingRange range;
  range.text = text;
  range.check = [names, text](const SettingValue& value) -> std::optional<std::string> {
    const auto* s = std::get_if<std::string>(&value);
    if (s != nullptr && std::find(names.begin(), names.end(), *s) != names.end()) return std::nullopt;
    return "expected " + text;
  };
  return range;
}

SettingRange SettingRange::satisfying(std::string text, std::function<bool(const SettingValue&)> accepts) {
  SettingRange range;
  range.text = text;
  range.check = [text, accepts](const SettingValue& value) -> std::optional<std::string> {
    if (accepts(value)) return std::nullopt;
    return "expected " + text;
  };
  return range;
}

SettingRange SettingRange::registered(std::string what, std::function<std::vector<std::string>()> names) {
  SettingRange range;
  range.text = fmt::format("one of {}", fmt::join(names(), ", "));
  range.check = [what, names](const SettingValue& value) -> std::optional<std::string> {
    const std::vector<std::string> known = names();
    const auto* s = std::get_if<std::string>(&value);
    if (s != nullptr && std::find(known.begin(), known.end(), *s) != known.end()) return std::nullopt;
    return fmt::format("unknown {}; known: {}", what, fmt::join(known, ", "));
  };
  return range;
}

SettingValue Setting::default_value() const { return declared_default ? *declared_default : get(RunConfig{}); }

std::string kind_expectation(SettingKind kind) {
  switch (kind) {
    case SettingKind::kInteger: return "an integer";
    case SettingKind::kFloat: return "a number";
    case SettingKind::kBool: return "a boolean (true or false)";
    case SettingKind::kString: return "a string";
    case SettingKind::kFloatList: return "an array of numbers";
    case SettingKind::kStringList: return "an array of strings";
  }
  return "a value";
}

std::string kind_name(SettingKind kind) {
  switch (kind) {
    case SettingKind::kInteger: return "integer";
    case SettingKind::kFloat: return "number";
    case SettingKind::kBool: return "boolean";
    case SettingKind::kString: return "string";
    case SettingKind::kFloatList: return "numbers";
    case SettingKind::kStringList: return "strings";
  }
  return "value";
}

bool holds_kind(const SettingValue& value, SettingKind kind) {
  switch (kind) {
    case SettingKind::kInteger: return std::holds_alternative<int64_t>(value);
    case SettingKind::kFloat: return std::holds_alternative<double>(value);
    case SettingKind::kBool: return std::holds_alternative<bool>(value);
    case SettingKind::kString: return std::holds_alternative<std::string>(value);
    case SettingKind::kFloatList: return std::holds_alternative<std::vector<double>>(value);
    case SettingKind::kStringList: return std::holds_alternative<std::vector<std::string>>(value);
  }
  return false;
}

std::string entry_text(const SettingValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
          return fmt::format("{}", v);  // shortest representation that round-trips
        } else {
          return fmt::format("[{}]", fmt::join(v, ","));
        }
      },
      value);
}

std::string shown_value(const SettingValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return "'" + *s + "'";
  return entry_text(value);
}

void check_range(const Setting& setting, const RunConfig& config) {
  if (!setting.range.check) return;
  const SettingValue value = setting.get(config);
  if (const std::optional<std::string> problem = setting.range.check(value)) {
    throw ConfigError(fmt::format("{} = {}: {}", setting.key, shown_value(value), *problem));
  }
}

SettingValue as_kind(std::string_view key, SettingKind kind, SettingValue value) {
  if (kind == SettingKind::kFloat && std::holds_alternative<int64_t>(value)) {
    value = static_cast<double>(std::get<int64_t>(value));
  }
  if (!holds_kind(value, kind)) {
    throw ConfigError(fmt::format("{} = {}: expected {}", key, shown_value(value), kind_expectation(kind)));
  }
  return value;
}

void OwnedSettings::set(std::string_view key, SettingValue value) {
  const Setting* setting = find_setting(key);
  const bool in_table = key.starts_with(table_) && key.find('.', table_.size()) == std::string_view::npos;
  if (setting == nullptr || setting->owner.empty() || !in_table) {
    throw ConfigError(fmt::format("{}: not a setting of a registered extension under {}", key, table_));
  }
  value = as_kind(key, setting->kind, std::move(value));
  if (const auto* i = std::get_if<int64_t>(&value); i && (*i < setting->min_integer || *i > setting->max_integer)) {
    throw ConfigError(
        fmt::format("{} = {}: expected an integer in [{}, {}]", key, *i, setting->min_integer, setting->max_integer));
  }
  values_.insert_or_assign(std::string(key), std::move(value));
}

SettingValue OwnedSettings::get(std::string_view key) const {
  if (auto it = values_.find(key); it != values_.end()) return it->second;
  const Setting* setting = find_setting(key);
  if (setting == nullptr || !setting->declared_default) {
    throw std::logic_error(fmt::format("owned setting '{}' is read but no extension declares it", key));
  }
  return *setting->declared_default;
}

namespace {
template <typename T>
T typed(const OwnedSettings& settings, std::string_view key) {
  const SettingValue value = settings.get(key);
  if (const T* v = std::get_if<T>(&value)) return *v;
  throw std::logic_error(fmt::format("owned setting '{}' read as the wrong type", key));
}
}  // namespace

int64_t OwnedSettings::integer(std::string_view key) const { return typed<int64_t>(*this, key); }
double OwnedSettings::number(std::string_view key) const { return typed<double>(*this, key); }
bool OwnedSettings::flag(std::string_view key) const { return typed<bool>(*this, key); }
std::string OwnedSettings::text(std::string_view key) const { return typed<std::string>(*this, key); }

}  // namespace mose::core::spec
