// The two kinds of width pass and the pass-builder registry (see width_sampler.h).
#include "core/train/width_sampler.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <random>

namespace mose::core::train {

WidthSampler::WidthSampler(const spec::WidthTrainingConfig& config, const spec::ModelConfig& model)
    : config_(config), n_moe_layers_(model.n_moe_layers()), n_experts_(model.routed_experts()) {
  config_.validate();
}

WidthPass WidthSampler::uniform_pass(double width) const {
  WidthPass pass;
  pass.chooser = std::make_unique<model::UniformWidth>(width);
  pass.full_width = width == 1.0;
  pass.label = fmt::format("w={}", width);
  return pass;
}

WidthPass WidthSampler::random_pass(uint64_t seed) const {
  const auto& grid = config_.widths;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, grid.size() - 1);
  WidthPass pass;
  pass.label = "random(" + config_.granularity + ")";
  if (config_.granularity == "step") return uniform_pass(grid[pick(rng)]);
  if (config_.granularity == "layer") {
    std::vector<double> widths;
    for (int l = 0; l < n_moe_layers_; ++l) widths.push_back(grid[pick(rng)]);
    pass.chooser = std::make_unique<model::PerLayerWidth>(std::move(widths));
  } else if (config_.granularity == "expert") {
    std::vector<std::vector<double>> widths(n_moe_layers_);
    for (auto& layer : widths)
      for (int e = 0; e < n_experts_; ++e) layer.push_back(grid[pick(rng)]);
    pass.chooser = std::make_unique<model::PerExpertWidth>(std::move(widths));
  } else {
    pass.chooser = std::make_unique<model::RandomAssignmentWidth>(grid, at::detail::createCPUGenerator(rng()));
  }
  return pass;
}

std::vector<WidthPass> WidthSampler::passes(uint64_t seed) const {
  return width_pass_builders().at(config_.sampler).passes(*this, seed);
}

spec::Registry<WidthPassBuilder>& width_pass_builders() {
  static spec::Registry<WidthPassBuilder> registry("width sampler", "train.width.sampler");
  return registry;
}

}  // namespace mose::core::train
