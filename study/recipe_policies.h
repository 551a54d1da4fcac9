// The registry of evaluation width policies a recipe's [[policy]] tables may name.
// A policy kind declares its parameters (checked generically, with positions, by the
// recipe parser) and turns one [[policy]] table into the evaluation policies it asks
// for. Adding a policy ("threshold", "ttt", "layer_budget") means adding one entry in
// recipe_policies.cpp, and the fields it needs to core::WidthPolicySpec.
// Private to study/.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine.h"
#include "study/canonical_json.h"
#include "study/recipe_keys.h"

namespace mose::study {

struct PolicyParameter {
  std::string name;
  ValueKind kind = ValueKind::kFloat;
  std::string expected;        // for messages: "a non-empty array of widths in (0, 1]"
  bool non_empty = false;      // lists: at least one element
  bool (*accepts)(double) = nullptr;  // numbers (each element of a list): the valid range
};

// A [[policy]] table's parameters, type- and range-checked.
using PolicyValues = std::map<std::string, FieldValue>;

struct PolicyKind {
  std::string name;
  std::string summary;
  std::vector<PolicyParameter> parameters;  // all required
  // One WidthPolicySpec per evaluation trial the [[policy]] table asks for.
  std::vector<core::WidthPolicySpec> (*expand)(const PolicyValues& values) = nullptr;
  // The identity of one expanded policy, "name" first: hashed into its evaluation
  // trial and shown in its label, so it must hold every field the policy reads.
  JsonValue::Object (*settings)(const core::WidthPolicySpec& policy) = nullptr;
  // Expected share of the full-width expert FLOPs it computes, for estimates.
  double (*expert_fraction)(const core::WidthPolicySpec& policy) = nullptr;
};

const std::vector<PolicyKind>& policy_kinds();

// nullptr when no policy has that name.
const PolicyKind* find_policy_kind(std::string_view name);

std::vector<std::string> policy_kind_names();

}  // namespace mose::study
