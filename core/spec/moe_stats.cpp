// Summing expert usage over batches (see moe_stats.h).
#include "core/spec/moe_stats.h"

#include <cstddef>

namespace mose::core::spec {
namespace {

void add_to(std::vector<int64_t>& into, const std::vector<int64_t>& from) {
  if (into.size() < from.size()) into.resize(from.size(), 0);
  for (std::size_t i = 0; i < from.size(); ++i) into[i] += from[i];
}

}  // namespace

void MoeLayerStats::accumulate(const MoeLayerStats& other) {
  add_to(tokens_per_expert, other.tokens_per_expert);
  add_to(width_histogram, other.width_histogram);
  add_to(experts_per_token, other.experts_per_token);
  tokens += other.tokens;
  assignments += other.assignments;
  dropped += other.dropped;
  null_assignments += other.null_assignments;
  shared_assignments += other.shared_assignments;
  tokens_without_expert += other.tokens_without_expert;
  hidden_units += other.hidden_units;
}

}  // namespace mose::core::spec
