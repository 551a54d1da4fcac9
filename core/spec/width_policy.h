// The width-policy extension point, torch-free half: how an evaluation picks each
// expert assignment's width at inference. A WidthPolicySpec describes one policy as
// study/ and app/ pass it to the engine; a WidthPolicyKind descriptor per policy name,
// registered from its own file core/spec/policy_<name>.cpp, says what a recipe's
// [[policy]] table for it holds, how that table expands into specs, what identifies
// each spec (hashed into its evaluation trial) and what it checks. The torch half
// (core/policy/width_policies.h) registers the chooser factory under the same name.
// Adding a policy = its descriptor file, its chooser file, its tests and its row in
// recipes/README.md.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/spec/registry.h"
#include "core/spec/setting.h"

namespace mose::core::spec {

struct WidthPolicySpec {
  std::string name = "uniform";
  double width = 1.0;   // uniform policies: the width of every assignment
  double budget = 1.0;  // budgeted policies: target mean width of the assignments
  std::vector<double> grid = {0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0};  // budgeted policies
  int experts_per_token = 0;  // inference k (random_k routers); 0 = the model's router.top_k
  // A policy's own numeric parameters, by the names its kind declares (ttt: "gamma").
  std::map<std::string, double> options = {};

  // ConfigError naming the field at fault ("policy.budget = ...").
  void validate() const;
  // The expert budget the policy aims at: `width` for uniform policies, `budget` otherwise.
  double target_budget() const;
  // Every assignment at `width` (no calibration, no budget to meet).
  bool is_uniform() const;
};

// One key of a [[policy]] table; all are required. Lists expand into one spec per value.
struct PolicyParameter {
  std::string name;
  SettingKind kind = SettingKind::kFloatList;
  std::string expected;               // for messages: "a non-empty array of widths in (0, 1]"
  bool non_empty = false;             // lists: at least one element
  bool (*accepts)(double) = nullptr;  // numbers (each element of a list): the valid range
};

// A [[policy]] table's parameters, type- and range-checked by the recipe parser.
using PolicyValues = std::map<std::string, SettingValue>;

// (field, value) pairs, "name" first: a policy's identity as its evaluation trial hashes
// and labels it. Must hold every field the policy reads.
using PolicyIdentity = std::vector<std::pair<std::string, SettingValue>>;

struct WidthPolicyKind {
  std::string name;
  std::string summary;                      // one line for docs and `mose-study check`
  std::vector<PolicyParameter> parameters;  // the [[policy]] table's keys besides `name`
  std::vector<std::string> options;         // WidthPolicySpec::options it reads
  bool uniform = false;                     // every assignment at spec.width
  bool calibrates = false;                  // fits on calibration windows before evaluating
  std::function<std::vector<WidthPolicySpec>(const PolicyValues&)> expand;
  std::function<PolicyIdentity(const WidthPolicySpec&)> identity;
  std::function<void(const WidthPolicySpec&)> validate;  // its own checks beyond the common ones; may be empty

  void check() const {
    require_callback(bool(expand), "width policy", name, "expand");
    require_callback(bool(identity), "width policy", name, "identity");
  }
};

Registry<WidthPolicyKind>& width_policies();

// The kind `spec.name` names; ConfigError "policy.name = ...: unknown width policy; known: ...".
const WidthPolicyKind& width_policy_kind(const WidthPolicySpec& spec);

// ConfigError "policy.grid = [...]: expected strictly increasing widths in (0, 1]" unless
// `grid` is one (shared by WidthPolicySpec::validate and the policies' constructors).
void validate_width_grid(const std::vector<double>& grid);

// A budgeted policy's checks: a valid grid and a budget within its range.
void validate_budget(const WidthPolicySpec& spec);

// A width in (0, 1]: the range of every width and budget a [[policy]] table lists.
inline bool is_unit_width(double w) { return w > 0 && w <= 1; }

// The kind every budgeted policy starts from: a [[policy]] table with `budgets` (one
// evaluation trial per budget B, each spending a share B of the full-width expert
// FLOPs, calibrated on held-out validation windows), identified by name, budget and grid.
WidthPolicyKind budgeted_policy_kind(std::string name, std::string summary);

// Relative tolerance of every budgeted policy: the achieved expert budget on the
// evaluation data must lie within target * (1 +- kBudgetTolerance).
inline constexpr double kBudgetTolerance = 0.01;

}  // namespace mose::core::spec
