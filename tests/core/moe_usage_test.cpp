// Expert usage counted on the device (count_usage, add, read_usage) against a plain host
// count of the same routing decisions: nulls, capacity drops, shared experts, empty
// tokens, and sums over batches.
#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include <vector>

#include "core/model/moe_usage.h"
#include "core/model/routing.h"
#include "test_support.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;

namespace {

// The host count the device counts must equal, slot by slot.
MoeLayerStats host_count(const RoutingDecision& r, const at::Tensor& hidden, const at::Tensor& shared_hidden,
                         int64_t n_experts, int64_t d_ff) {
  MoeLayerStats s;
  const int64_t tokens = r.expert_index.size(0), slots = r.expert_index.size(1);
  auto e = r.expert_index.accessor<int64_t, 2>();
  auto m = hidden.accessor<int64_t, 2>();
  s.tokens = tokens;
  s.tokens_per_expert.assign(n_experts, 0);
  s.width_histogram.assign(d_ff + 1, 0);
  s.experts_per_token.assign(slots + 1, 0);
  for (int64_t t = 0; t < tokens; ++t) {
    int64_t computed = 0;
    for (int64_t j = 0; j < slots; ++j) {
      if (r.null_slots.defined() && r.null_slots[t][j].item<bool>()) ++s.null_assignments;
      if (r.capacity_dropped.defined() && r.capacity_dropped[t][j].item<bool>()) ++s.dropped, ++s.assignments;
      if (e[t][j] < 0) continue;
      ++computed, ++s.assignments, ++s.tokens_per_expert[e[t][j]], ++s.width_histogram[m[t][j]];
      s.hidden_units += m[t][j];
    }
    ++s.experts_per_token[computed];
    if (computed == 0) ++s.tokens_without_expert;
  }
  if (shared_hidden.defined()) {
    s.shared_assignments = shared_hidden.numel();
    at::Tensor units = shared_hidden.reshape({-1});
    for (int64_t i = 0; i < units.numel(); ++i) {
      s.hidden_units += units[i].item<int64_t>();
      ++s.width_histogram[units[i].item<int64_t>()];
    }
  }
  return s;
}

void check_equal(const MoeLayerStats& got, const MoeLayerStats& want) {
  CHECK(got.tokens_per_expert == want.tokens_per_expert);
  CHECK(got.width_histogram == want.width_histogram);
  CHECK(got.experts_per_token == want.experts_per_token);
  CHECK(got.tokens == want.tokens);
  CHECK(got.assignments == want.assignments);
  CHECK(got.dropped == want.dropped);
  CHECK(got.null_assignments == want.null_assignments);
  CHECK(got.shared_assignments == want.shared_assignments);
  CHECK(got.tokens_without_expert == want.tokens_without_expert);
  CHECK(got.hidden_units == want.hidden_units);
}

struct Decision {
  RoutingDecision routing;
  at::Tensor hidden, shared_hidden;
};

// Random decisions: experts in [0, E), some slots null, some dropped (both then hold -1),
// widths from {4, 8, 16} of d_ff 16, optional shared experts at random widths.
Decision random_decision(int64_t tokens, int64_t slots, int64_t n_experts, bool nulls, bool drops, bool shared,
                         uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  Decision d;
  at::Tensor experts = at::randint(n_experts, {tokens, slots}, gen, at::kLong);
  if (nulls) {
    d.routing.null_slots = at::rand({tokens, slots}, gen).lt(0.2);
    experts = experts.masked_fill(d.routing.null_slots, -1);
  }
  if (drops) {
    d.routing.capacity_dropped = at::rand({tokens, slots}, gen).lt(0.2) & experts.ge(0);
    experts = experts.masked_fill(d.routing.capacity_dropped, -1);
  }
  d.routing.expert_index = experts;
  d.hidden = at::tensor(std::vector<int64_t>{4, 8, 16}, at::kLong)
                 .index_select(0, at::randint(3, {tokens * slots}, gen, at::kLong))
                 .reshape({tokens, slots});
  if (shared) d.shared_hidden = at::randint(1, 17, {tokens, 2}, gen, at::kLong);
  return d;
}

}  // namespace

TEST_CASE("expert usage counted on the device equals a host count of every slot", "[core][flops]") {
  const int64_t n_experts = 5, d_ff = 16;
  uint64_t seed = 1;
  for (bool nulls : {false, true}) {
    for (bool drops : {false, true}) {
      for (bool shared : {false, true}) {
        INFO("nulls " << nulls << ", drops " << drops << ", shared " << shared);
        Decision d = random_decision(37, 3, n_experts, nulls, drops, shared, seed++);
        const MoeUsageCounts usage = count_usage(d.routing, d.hidden, d.shared_hidden, n_experts, d_ff);
        const std::vector<MoeLayerStats> got = read_usage({usage});
        REQUIRE(got.size() == 1);
        check_equal(got[0], host_count(d.routing, d.hidden, d.shared_hidden, n_experts, d_ff));
      }
    }
  }
}

TEST_CASE("device usage summed over batches equals the host counts accumulated", "[core][flops]") {
  const int64_t n_experts = 4, d_ff = 16;
  // Two layers, three batches each: read once, as evaluation does.
  std::vector<MoeUsageCounts> sums(2);
  std::vector<MoeLayerStats> want(2);
  for (int batch = 0; batch < 3; ++batch) {
    for (size_t layer = 0; layer < 2; ++layer) {
      Decision d = random_decision(20 + batch, 2, n_experts, layer == 1, true, false, 100 + batch * 2 + layer);
      MoeUsageCounts u = count_usage(d.routing, d.hidden, d.shared_hidden, n_experts, d_ff);
      if (batch == 0)
        sums[layer] = u;
      else
        sums[layer].add(u);
      want[layer].accumulate(host_count(d.routing, d.hidden, d.shared_hidden, n_experts, d_ff));
    }
  }
  const std::vector<MoeLayerStats> got = read_usage(sums);
  REQUIRE(got.size() == 2);
  for (size_t layer = 0; layer < 2; ++layer) {
    INFO("layer " << layer);
    check_equal(got[layer], want[layer]);
  }
  CHECK(read_usage({}).empty());
  MoeUsageCounts other_layer = count_usage(random_decision(5, 3, n_experts, false, false, false, 7).routing,
                                           at::full({5, 3}, 8, at::kLong), at::Tensor(), n_experts, d_ff);
  CHECK_THROWS_WITH(sums[0].add(other_layer), Catch::Contains("different layers"));
}

TEST_CASE("expert usage counted on CUDA equals the CPU count", "[core][flops][cuda]") {
  if (!testing::cuda_available_or_skip("GPU usage count")) return;
  Decision d = random_decision(300, 4, 8, true, true, true, 42);
  const MoeLayerStats want = read_usage({count_usage(d.routing, d.hidden, d.shared_hidden, 8, 16)}).front();
  RoutingDecision on_gpu = d.routing;
  on_gpu.expert_index = on_gpu.expert_index.cuda();
  on_gpu.null_slots = on_gpu.null_slots.cuda();
  on_gpu.capacity_dropped = on_gpu.capacity_dropped.cuda();
  MoeUsageCounts u = count_usage(on_gpu, d.hidden.cuda(), d.shared_hidden.cuda(), 8, 16);
  CHECK(u.counts.is_cuda());
  u.add(u);  // twice the same pass
  MoeLayerStats twice = want;
  twice.accumulate(want);
  check_equal(read_usage({u}).front(), twice);
}
