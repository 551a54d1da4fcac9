#include "core/train/width_sampler.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <random>

#include "base/errors.h"
#include "core/data/counter_rng.h"

namespace mose::core {

WidthSampler::WidthSampler(const WidthTrainingConfig& config, const ModelConfig& model)
    : config_(config), n_moe_layers_(model.n_moe_layers()), n_experts_(model.routed_experts()) {
  config_.validate();
}

WidthPass WidthSampler::uniform_pass(double width) const {
  WidthPass pass;
  pass.chooser = std::make_unique<UniformWidth>(width);
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
    pass.chooser = std::make_unique<PerLayerWidth>(std::move(widths));
  } else if (config_.granularity == "expert") {
    std::vector<std::vector<double>> widths(n_moe_layers_);
    for (auto& layer : widths)
      for (int e = 0; e < n_experts_; ++e) layer.push_back(grid[pick(rng)]);
    pass.chooser = std::make_unique<PerExpertWidth>(std::move(widths));
  } else {
    pass.chooser = std::make_unique<RandomAssignmentWidth>(grid, at::detail::createCPUGenerator(rng()));
  }
  return pass;
}

std::vector<WidthPass> WidthSampler::passes(uint64_t seed) const {
  std::vector<WidthPass> out;
  const auto& w = config_.widths;
  if (config_.sampler == "all") {
    for (auto it = w.rbegin(); it != w.rend(); ++it) out.push_back(uniform_pass(*it));
  } else if (config_.sampler == "sandwich") {
    out.push_back(uniform_pass(w.back()));
    if (w.size() > 1) {
      out.push_back(uniform_pass(w.front()));
      for (int i = 0; i < config_.sandwich_random; ++i) out.push_back(random_pass(data::counter_hash(seed, i)));
    }
  } else if (config_.sampler == "random") {
    out.push_back(w.size() == 1 ? uniform_pass(w.front()) : random_pass(seed));
  } else {
    throw ConfigError("train.width.sampler: unknown sampler '" + config_.sampler + "'; known: all, sandwich, random");
  }
  return out;
}

}  // namespace mose::core
