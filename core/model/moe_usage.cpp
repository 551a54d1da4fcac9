#include "core/model/moe_usage.h"

#include <ATen/ATen.h>

#include "core/model/routing.h"

namespace mose::core::model {
namespace {

constexpr int64_t kScalars = 5;  // null, computed, hidden units, tokens without expert, dropped

int64_t layout_size(const MoeUsageCounts& u) { return u.n_experts + (u.d_ff + 1) + (u.slots + 1) + kScalars; }

// Counts of each value of `index` (int64, any shape) in [0, bins), weighted by `weight`.
at::Tensor histogram(const at::Tensor& index, const at::Tensor& weight, int64_t bins) {
  return at::zeros({bins}, index.options()).index_add_(0, index.reshape({-1}), weight.reshape({-1}));
}

}  // namespace

void MoeUsageCounts::add(const MoeUsageCounts& other) {
  TORCH_CHECK(other.n_experts == n_experts && other.d_ff == d_ff && other.slots == slots,
              "MoeUsageCounts::add: counts of different layers");
  counts = counts + other.counts.to(counts.device());
  tokens += other.tokens;
  shared_assignments += other.shared_assignments;
}

MoeUsageCounts count_usage(const RoutingDecision& routing, const at::Tensor& hidden_units,
                           const at::Tensor& shared_hidden, int64_t n_experts, int64_t d_ff) {
  MoeUsageCounts u;
  u.n_experts = n_experts;
  u.d_ff = d_ff;
  u.tokens = routing.expert_index.size(0);
  u.slots = routing.expert_index.size(1);
  const at::Tensor& experts = routing.expert_index;
  // A null slot and a dropped slot hold expert -1 too: only expert >= 0 computes.
  at::Tensor computed = experts.ge(0).to(at::kLong);
  at::Tensor units = hidden_units * computed;  // 0 where nothing is computed
  at::Tensor per_token = computed.sum(1);
  at::Tensor widths = histogram(units, computed, d_ff + 1);
  at::Tensor hidden_total = units.sum();
  if (shared_hidden.defined()) {
    u.shared_assignments = shared_hidden.numel();
    widths = widths + histogram(shared_hidden, at::ones_like(shared_hidden), d_ff + 1);
    hidden_total = hidden_total + shared_hidden.sum();
  }
  const auto long_options = experts.options();
  at::Tensor nulls = routing.null_slots.defined() ? routing.null_slots.sum() : at::zeros({}, long_options);
  at::Tensor dropped =
      routing.capacity_dropped.defined() ? routing.capacity_dropped.sum() : at::zeros({}, long_options);
  at::Tensor scalars =
      at::stack({nulls.to(at::kLong), computed.sum(), hidden_total, per_token.eq(0).sum(), dropped.to(at::kLong)});
  u.counts = at::cat({histogram(experts.clamp_min(0), computed, n_experts), widths,
                      histogram(per_token, at::ones_like(per_token), u.slots + 1), scalars});
  return u;
}

std::vector<spec::MoeLayerStats> read_usage(const std::vector<MoeUsageCounts>& layers) {
  std::vector<spec::MoeLayerStats> stats;
  if (layers.empty()) return stats;
  std::vector<at::Tensor> parts;
  for (const auto& layer : layers) {
    TORCH_CHECK(layer.counts.numel() == layout_size(layer), "read_usage: counts of the wrong size");
    parts.push_back(layer.counts.to(layers.front().counts.device()));
  }
  const at::Tensor host = at::cat(parts).cpu();
  const int64_t* v = host.data_ptr<int64_t>();
  for (const auto& layer : layers) {
    spec::MoeLayerStats s;
    auto take = [&v](int64_t n) {
      std::vector<int64_t> out(v, v + n);
      v += n;
      return out;
    };
    s.tokens_per_expert = take(layer.n_experts);
    s.width_histogram = take(layer.d_ff + 1);
    s.experts_per_token = take(layer.slots + 1);
    s.tokens = layer.tokens;
    s.shared_assignments = layer.shared_assignments;
    s.null_assignments = v[0];
    s.dropped = v[4];
    s.assignments = v[1] + s.dropped;  // chosen: computed or dropped by capacity
    s.hidden_units = v[2];
    s.tokens_without_expert = v[3];
    v += kScalars;
    stats.push_back(std::move(s));
  }
  return stats;
}

}  // namespace mose::core::model
