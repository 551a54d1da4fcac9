// Recipe keys are the engine's settings (core/spec/settings.h): the nested tables
// ([model.router] top_k = 2) and the dotted overrides of [modes.*], [sweep] and
// [[trial]] resolve through that one table, so the spellings cannot drift apart and a
// registered extension's settings are recipe keys without any change here. This header
// names the table's types as recipes use them and builds a config's canonical JSON.
// Private to study/recipe.
#pragma once

#include <string>

#include "core/spec/settings.h"
#include "study/recipe/canonical_json.h"

namespace mose::study::recipe {

using RecipeKey = core::spec::Setting;
using FieldValue = core::spec::SettingValue;
using ValueKind = core::spec::SettingKind;

// The canonical nested form of the identity settings of `config` with `role`, in table
// order: kTraining gives a training trial's identity,
// {"data":{...},"model":{"router":{...},...},"train":{...}}; kEvaluation the settings an
// evaluation trial adds to its own, {"eval":{...}}. Typed values.
Json identity_json(const core::spec::RunConfig& config, core::spec::SettingRole role);

// The form trials had before evaluation settings left the training identity: training
// and evaluation settings in one object. Only for finding a study's trials stored under
// it (study/runner/identity_migration.h); never a new trial's identity.
Json legacy_config_json(const core::spec::RunConfig& config);

// A value as labels show it: strings bare, everything else as canonical JSON.
std::string value_text(const Json& value);

}  // namespace mose::study::recipe
