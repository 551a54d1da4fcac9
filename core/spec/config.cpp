// Validation of the engine configuration: every setting's own range (from the settings
// table), then what holds across settings, then what the selected extensions (model
// family, routing regime, width sampler) check. Messages name the recipe key, the value
// and what was expected.
#include "core/spec/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "base/errors.h"
#include "core/spec/limits.h"
#include "core/spec/model_family.h"
#include "core/spec/routing_regime.h"
#include "core/spec/settings.h"
#include "core/spec/width_sampler.h"

namespace mose::core::spec {
namespace {

template <typename T>
void require(bool ok, const char* field, T value, const char* expected) {
  if (!ok) throw ConfigError(fmt::format("{} = {}: expected {}", field, value, expected));
}

// The settings table checks whole RunConfigs; a part is checked inside a default one.
template <typename Part>
RunConfig holding(Part RunConfig::*member, const Part& part) {
  RunConfig run;
  run.*member = part;
  return run;
}

void validate_router(const ModelConfig& m) {
  const RouterConfig& r = m.router;
  const RouterRegime& regime = router_regime(m);
  if (!regime.drops_by_capacity && (r.capacity_factor_train != 0 || r.capacity_factor_eval != 0)) {
    std::vector<std::string> dropping;
    for (const RouterRegime& other : router_regimes().entries()) {
      if (other.drops_by_capacity) dropping.push_back(other.name);
    }
    throw ConfigError(
        fmt::format("model.router.capacity_factor_train = {} (eval {}): expected 0 for this router: "
                    "capacity dropping applies to {}",
                    r.capacity_factor_train, r.capacity_factor_eval, fmt::join(dropping, ", ")));
  }
  if (regime.validate) regime.validate(m);
}

void validate_widths(const WidthTrainingConfig& w) {
  require(!w.widths.empty(), "train.width.widths", "[]", "a non-empty list");
  require(static_cast<int64_t>(w.widths.size()) <= kMaxWidths, "train.width.widths",
          fmt::format("{} widths", w.widths.size()), fmt::format("at most {} widths", kMaxWidths).c_str());
  for (double v : w.widths) require(v > 0 && v <= 1, "train.width.widths", v, "every width in (0, 1]");
  require(std::is_sorted(w.widths.begin(), w.widths.end()) &&
              std::adjacent_find(w.widths.begin(), w.widths.end()) == w.widths.end(),
          "train.width.widths", fmt::format("{}", w.widths.size()), "strictly increasing widths");
  require(w.widths.back() == 1.0, "train.width.widths", w.widths.back(), "the largest width to be 1.0");
  const WidthSamplerKind& sampler = width_sampler(w);
  if (sampler.validate) sampler.validate(w);
}

}  // namespace

// Layers i in [0, n_layer) with (i + 1) % moe_stride == 0: one per whole stride.
int ModelConfig::n_moe_layers() const { return n_layer > 0 && moe_stride > 0 ? n_layer / moe_stride : 0; }

int ModelConfig::routed_experts() const {
  const RouterRegime& regime = router_regime(*this);
  return regime.routed_experts ? regime.routed_experts(*this) : n_experts;
}

int ModelConfig::expert_d_ff() const {
  const RouterRegime& regime = router_regime(*this);
  return regime.expert_d_ff ? regime.expert_d_ff(*this) : d_ff;
}

int ModelConfig::shared_experts() const {
  const RouterRegime& regime = router_regime(*this);
  return regime.shared_experts ? regime.shared_experts(*this) : 0;
}

int ModelConfig::router_outputs() const {
  const RouterRegime& regime = router_regime(*this);
  return routed_experts() + (regime.extra_router_outputs ? regime.extra_router_outputs(*this) : 0);
}

double ModelConfig::nominal_experts_per_token() const {
  const RouterRegime& regime = router_regime(*this);
  return regime.nominal_experts_per_token ? regime.nominal_experts_per_token(*this) : router.top_k;
}

void ModelConfig::validate() const {
  check_ranges(holding(&RunConfig::model, *this), "model.");
  require(d_model % n_head == 0, "model.d_model", d_model, "a positive multiple of model.n_head");
  require(positions != "rope" || (d_model / n_head) % 2 == 0, "model.d_model", d_model,
          "an even head size (d_model / n_head) for rope");
  require(n_moe_layers() >= 1, "model.moe_stride", moe_stride, "at most model.n_layer (a model needs an MoE layer)");
  const ModelFamily& family = model_family(*this);
  if (family.validate) family.validate(*this);
  validate_router(*this);
}

void WidthTrainingConfig::validate() const {
  TrainConfig train;
  train.width = *this;
  check_ranges(holding(&RunConfig::train, train), "train.width.");
  validate_widths(*this);
}

void OptimConfig::validate() const {
  TrainConfig train;
  train.optim = *this;
  check_ranges(holding(&RunConfig::train, train), "train.optim.");
}

void TrainConfig::validate() const {
  check_ranges(holding(&RunConfig::train, *this), "train.");
  validate_widths(width);
}

void EvalConfig::validate() const {
  check_ranges(holding(&RunConfig::eval, *this), "eval.");
  for (const auto& task : tasks) {
    const std::string ext = task.extension().string();
    require(ext == ".jsonl" || ext == ".txt", "eval.tasks", task.string(),
            "a .jsonl (multiple choice) or .txt (last word) task file");
  }
}

void RunConfig::validate() const {
  data.validate();
  model.validate();
  train.validate();
  eval.validate();
}

}  // namespace mose::core::spec
