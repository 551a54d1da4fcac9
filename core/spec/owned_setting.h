// A setting an extension declares for itself (a routing regime's, a width sampler's, a
// model family's). The settings table (settings.h) turns each into a full Setting whose
// key is the owner's table plus `name` ("model.router." + "granularity"), stored in the
// OwnedSettings bag of the config struct that selects the owner, and listed in a trial's
// identity only while its owner is selected.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "core/spec/setting.h"

namespace mose::core::spec {

struct OwnedSetting {
  std::string name = {};
  SettingKind kind = SettingKind::kFloat;
  SettingValue default_value = {};
  std::string description = {};
  SettingRange range = {};
  // Integers: what the owner's typed view reads them into.
  int64_t min_integer = std::numeric_limits<int32_t>::min();
  int64_t max_integer = std::numeric_limits<int32_t>::max();
  // Listed whoever is selected. Only for settings that were hashed for every trial before
  // their owner was registered (train.width.sandwich_random): dropping them from the
  // listing would change those trials' hashes.
  bool always_listed = false;

  // One declaration per line in a descriptor: name, default, valid values, meaning.
  static OwnedSetting integer(std::string name, int64_t value, SettingRange range, std::string description) {
    return {std::move(name), SettingKind::kInteger, value, std::move(description), std::move(range)};
  }
  static OwnedSetting number(std::string name, double value, SettingRange range, std::string description) {
    return {std::move(name), SettingKind::kFloat, value, std::move(description), std::move(range)};
  }
  static OwnedSetting flag(std::string name, bool value, std::string description) {
    return {std::move(name), SettingKind::kBool, value, std::move(description), SettingRange::any()};
  }
  static OwnedSetting text(std::string name, std::string value, SettingRange range, std::string description) {
    return {std::move(name), SettingKind::kString, std::move(value), std::move(description), std::move(range)};
  }
};

}  // namespace mose::core::spec
