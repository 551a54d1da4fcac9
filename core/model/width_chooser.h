// Width choosers decide, for every (token, expert) assignment of an MoE layer, how many
// hidden units the expert uses: m = round(w * d_ff), clamped to [1, d_ff]. Training width
// samplers and inference width policies are both WidthChoosers, so the model has one
// path for every granularity: per batch, per layer, per expert, per assignment.
#pragma once

#include <ATen/core/Generator.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/routing.h"

namespace mose::core::model {

// m = round(w * d_ff) clamped to [1, d_ff]: the first m hidden units run.
int64_t hidden_units_for(double width, int64_t d_ff);

class WidthChooser {
 public:
  virtual ~WidthChooser() = default;
  // Hidden units for each assignment: [T, k] int64 on routing's device.
  virtual at::Tensor hidden_units(int moe_layer, const RoutingDecision& routing, int64_t d_ff) const = 0;
  // The hidden units every assignment of this layer gets, when that is one number known on
  // the host: the GPU expert kernels then group without a host synchronisation.
  virtual std::optional<int64_t> uniform_hidden_units(int /*moe_layer*/, int64_t /*d_ff*/) const {
    return std::nullopt;
  }
  virtual std::string describe() const = 0;
};

// Every assignment at width w.
class UniformWidth : public WidthChooser {
 public:
  explicit UniformWidth(double width);
  at::Tensor hidden_units(int moe_layer, const RoutingDecision& routing, int64_t d_ff) const override;
  std::optional<int64_t> uniform_hidden_units(int moe_layer, int64_t d_ff) const override;
  std::string describe() const override;
  double width() const { return width_; }

 private:
  double width_;
};

// One width per MoE layer.
class PerLayerWidth : public WidthChooser {
 public:
  explicit PerLayerWidth(std::vector<double> widths);
  at::Tensor hidden_units(int moe_layer, const RoutingDecision& routing, int64_t d_ff) const override;
  std::optional<int64_t> uniform_hidden_units(int moe_layer, int64_t d_ff) const override;
  std::string describe() const override;

 private:
  std::vector<double> widths_;
};

// One width per (MoE layer, expert): widths[layer][expert].
class PerExpertWidth : public WidthChooser {
 public:
  explicit PerExpertWidth(std::vector<std::vector<double>> widths);
  at::Tensor hidden_units(int moe_layer, const RoutingDecision& routing, int64_t d_ff) const override;
  std::string describe() const override;

 private:
  std::vector<std::vector<double>> widths_;
};

// Each assignment draws its width uniformly from a grid (training, token granularity).
// The generator is seeded by the caller, so a step's draws are reproducible.
class RandomAssignmentWidth : public WidthChooser {
 public:
  RandomAssignmentWidth(std::vector<double> grid, at::Generator generator);
  at::Tensor hidden_units(int moe_layer, const RoutingDecision& routing, int64_t d_ff) const override;
  std::string describe() const override;

 private:
  std::vector<double> grid_;
  at::Generator generator_;  // a handle: drawing advances the shared state
};

}  // namespace mose::core::model
