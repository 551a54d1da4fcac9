#include "core/model/width_chooser.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "base/errors.h"

namespace mose::core::model {
namespace {

void check_width(double w) {
  if (!(w > 0.0 && w <= 1.0)) throw ConfigError(fmt::format("width {} is outside (0, 1]", w));
}

at::Tensor filled(const RoutingDecision& routing, int64_t value) {
  return at::full(routing.expert_index.sizes(), value, routing.expert_index.options());
}

}  // namespace

int64_t hidden_units_for(double width, int64_t d_ff) {
  const auto m = static_cast<int64_t>(std::llround(width * static_cast<double>(d_ff)));
  return std::clamp<int64_t>(m, 1, d_ff);
}

UniformWidth::UniformWidth(double width) : width_(width) { check_width(width); }

at::Tensor UniformWidth::hidden_units(int, const RoutingDecision& routing, int64_t d_ff) const {
  return filled(routing, hidden_units_for(width_, d_ff));
}

std::optional<int64_t> UniformWidth::uniform_hidden_units(int, int64_t d_ff) const {
  return hidden_units_for(width_, d_ff);
}

std::string UniformWidth::describe() const { return fmt::format("uniform({})", width_); }

PerLayerWidth::PerLayerWidth(std::vector<double> widths) : widths_(std::move(widths)) {
  for (double w : widths_) check_width(w);
}

at::Tensor PerLayerWidth::hidden_units(int moe_layer, const RoutingDecision& routing, int64_t d_ff) const {
  TORCH_CHECK(moe_layer < static_cast<int>(widths_.size()), "PerLayerWidth: no width for MoE layer ", moe_layer);
  return filled(routing, hidden_units_for(widths_[moe_layer], d_ff));
}

std::optional<int64_t> PerLayerWidth::uniform_hidden_units(int moe_layer, int64_t d_ff) const {
  TORCH_CHECK(moe_layer < static_cast<int>(widths_.size()), "PerLayerWidth: no width for MoE layer ", moe_layer);
  return hidden_units_for(widths_[moe_layer], d_ff);
}

std::string PerLayerWidth::describe() const { return fmt::format("per_layer({})", fmt::join(widths_, ",")); }

PerExpertWidth::PerExpertWidth(std::vector<std::vector<double>> widths) : widths_(std::move(widths)) {
  for (const auto& layer : widths_)
    for (double w : layer) check_width(w);
}

at::Tensor PerExpertWidth::hidden_units(int moe_layer, const RoutingDecision& routing, int64_t d_ff) const {
  TORCH_CHECK(moe_layer < static_cast<int>(widths_.size()), "PerExpertWidth: no widths for MoE layer ", moe_layer);
  const auto& layer = widths_[moe_layer];
  TORCH_CHECK(static_cast<int64_t>(layer.size()) == routing.probs.size(1), "PerExpertWidth: layer ", moe_layer, " has ",
              layer.size(), " widths for ", routing.probs.size(1), " experts");
  std::vector<int64_t> units;
  for (double w : layer) units.push_back(hidden_units_for(w, d_ff));
  at::Tensor table = at::tensor(units, routing.expert_index.options());
  return table.index_select(0, routing.expert_index.clamp_min(0).reshape({-1})).reshape(routing.expert_index.sizes());
}

std::string PerExpertWidth::describe() const { return fmt::format("per_expert({} layers)", widths_.size()); }

RandomAssignmentWidth::RandomAssignmentWidth(std::vector<double> grid, at::Generator generator)
    : grid_(std::move(grid)), generator_(std::move(generator)) {
  if (grid_.empty()) throw ConfigError("RandomAssignmentWidth: empty width grid");
  for (double w : grid_) check_width(w);
}

at::Tensor RandomAssignmentWidth::hidden_units(int, const RoutingDecision& routing, int64_t d_ff) const {
  std::vector<int64_t> units;
  for (double w : grid_) units.push_back(hidden_units_for(w, d_ff));
  at::Tensor level = at::randint(static_cast<int64_t>(grid_.size()), routing.expert_index.sizes(), generator_,
                                 at::TensorOptions().dtype(at::kLong));
  return at::tensor(units, at::kLong)
      .index_select(0, level.reshape({-1}))
      .reshape(level.sizes())
      .to(routing.expert_index.device());
}

std::string RandomAssignmentWidth::describe() const {
  return fmt::format("random_assignment({})", fmt::join(grid_, ","));
}

}  // namespace mose::core::model
