// The settings table: every engine setting, engine-wide ones and those the registered
// extensions own, in one fixed order. Everything that lists, sets, checks or documents a
// setting reads it from here:
//   - recipes resolve their keys through it (study/recipe);
//   - the canonical listing of a config (config_entries), whose text ties a checkpoint
//     to the settings that made it (training_fingerprint) and whose typed values are a
//     trial's identity (study/recipe/recipe_keys.h);
//   - validation checks each setting's range (config.cpp; data.* rows are checked by
//     core/data's DataConfig::validate, whose rules their range texts state, since the
//     data layer sits below this one);
//   - `mose-study check` and the recipe docs print it (reference_doc.h).
//
// Order. data, model (engine-wide, then the families' own), model.router (common, then
// the regimes' own), train, train.optim, train.width (widths, sampler, the samplers' own,
// then the rest), execution settings, eval. The fingerprint is a hash of the listing in
// this order, so it never changes: new settings go where they are listed only when used.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/spec/config.h"
#include "core/spec/setting.h"

namespace mose::core::spec {

using ConfigEntries = std::vector<std::pair<std::string, std::string>>;

// Every setting, built on first use (after every extension registered itself).
const std::vector<Setting>& all_settings();

// nullptr when `key` is not a setting.
const Setting* find_setting(std::string_view key);

// Keys that start with `prefix` ("" = all), in table order.
std::vector<std::string> setting_names(std::string_view prefix = "");

// ConfigError naming the first setting under `prefix` that `config` lists with a value
// out of its range.
void check_ranges(const RunConfig& config, std::string_view prefix);

// The settings that identify a trial (roles kTraining and kEvaluation) that `config`
// lists, in table order.
std::vector<const Setting*> identity_settings(const RunConfig& config);

// (key, entry_text) of identity_settings: data, model, training and evaluation.
ConfigEntries config_entries(const RunConfig& config);

// A hex digest of the listed settings that determine the trained weights (role
// kTraining). Two runs with the same fingerprint train bit-identical models on CPU.
std::string training_fingerprint(const RunConfig& config);

// FNV-1a 64-bit over `text`, as 16 hex digits: stable across platforms and versions.
std::string stable_hash(const std::string& text);

}  // namespace mose::core::spec
