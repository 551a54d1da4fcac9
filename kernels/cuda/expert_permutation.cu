// The routing permutation as a two-launch stable counting sort. Sorting (level, expert)
// keys with ATen takes about twenty small launches (key arithmetic, a radix sort, the
// inverse permutation, counts, a cumulative sum); at slim widths the expert GEMMs are
// short enough that those launches, not arithmetic, would set the layer's time.
//
// Each block owns a contiguous chunk of assignments.
//   count_buckets: per-block histogram of buckets in shared memory (integer atomics:
//     exact and order-free) -> counts[block][bucket].
//   scatter_assignments: every block re-reads all blocks' counts (a few thousand ints)
//     to get each bucket's start row and its own offset inside it, then walks its chunk
//     in tiles of kThreads assignments. Within a tile an assignment's rank among earlier
//     ones of its bucket comes from __match_any_sync inside the warp plus per-warp
//     counts across warps, so equal keys keep their input order: the sort is stable and
//     the result equals ATen's stable sort exactly.
#include <cstdint>

#include "kernels/cuda/cuda_check.cuh"
#include "kernels/cuda/expert_permutation.cuh"

namespace mose::kernels::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr int64_t kMinChunk = 2048;
constexpr int64_t kMaxBlocks = 128;  // every block reads all blocks' counts: keep that small
constexpr unsigned kFullMask = 0xffffffffu;

int64_t chunk_size(int64_t n) {
  int64_t chunk = (n + kMaxBlocks - 1) / kMaxBlocks;
  if (chunk < kMinChunk) chunk = kMinChunk;
  return (chunk + kThreads - 1) / kThreads * kThreads;
}

// At least one block, so that level_offsets are written when there is nothing to sort.
int block_count(int64_t n) { return n == 0 ? 1 : static_cast<int>((n + chunk_size(n) - 1) / chunk_size(n)); }

struct Bucketing {
  const int64_t* experts;
  const int64_t* hidden;        // null: one level
  const int64_t* level_widths;  // [levels], any order
  int levels;
  int n_experts;
  int buckets;  // levels * n_experts + 1
};

__device__ inline int bucket_of(const Bucketing& b, int64_t i) {
  const int64_t e = b.experts[i];
  if (e < 0) return b.buckets - 1;
  if (e >= b.n_experts) __trap();  // an out-of-range expert would write outside shared memory
  int level = 0;
  if (b.hidden != nullptr) {
    const int64_t h = b.hidden[i];
    for (int j = 0; j < b.levels; ++j) level += b.level_widths[j] > h ? 1 : 0;
    if (level >= b.levels) __trap();  // a width narrower than every level: not one of them
  }
  return level * b.n_experts + static_cast<int>(e);
}

__global__ void count_buckets(Bucketing b, int64_t n, int64_t chunk, int32_t* __restrict__ counts) {
  extern __shared__ int32_t histogram[];
  for (int g = threadIdx.x; g < b.buckets; g += blockDim.x) histogram[g] = 0;
  __syncthreads();
  const int64_t begin = static_cast<int64_t>(blockIdx.x) * chunk;
  const int64_t end = begin + chunk < n ? begin + chunk : n;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) atomicAdd(&histogram[bucket_of(b, i)], 1);
  __syncthreads();
  for (int g = threadIdx.x; g < b.buckets; g += blockDim.x) {
    counts[static_cast<int64_t>(blockIdx.x) * b.buckets + g] = histogram[g];
  }
}

__global__ void scatter_assignments(Bucketing b, int64_t n, int64_t chunk, int blocks,
                                    const int32_t* __restrict__ counts, int k, int64_t* __restrict__ order,
                                    int64_t* __restrict__ tokens, int64_t* __restrict__ slot_of,
                                    int32_t* __restrict__ level_offsets) {
  extern __shared__ int32_t shared[];
  const int buckets = b.buckets;
  int32_t* next_row = shared;                  // [buckets]: this block's next row in each bucket
  int32_t* bucket_start = shared + buckets;    // [buckets]: first row of each bucket (all blocks)
  int32_t* warp_count = shared + 2 * buckets;  // [kWarps][buckets]: the current tile's counts
  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;

  // Rows of each bucket in earlier blocks, and in all blocks.
  for (int g = tid; g < buckets; g += blockDim.x) {
    int32_t earlier = 0, all = 0;
    for (int block = 0; block < blocks; ++block) {
      const int32_t c = counts[static_cast<int64_t>(block) * buckets + g];
      if (block < static_cast<int>(blockIdx.x)) earlier += c;
      all += c;
    }
    next_row[g] = earlier;
    bucket_start[g] = all;
  }
  for (int j = tid; j < kWarps * buckets; j += blockDim.x) warp_count[j] = 0;
  __syncthreads();
  // Exclusive scan of the bucket sizes by one warp, 32 buckets per round.
  if (warp == 0) {
    int32_t carry = 0;
    for (int first = 0; first < buckets; first += 32) {
      const int g = first + lane;
      const int32_t size = g < buckets ? bucket_start[g] : 0;
      int32_t inclusive = size;
      for (int offset = 1; offset < 32; offset <<= 1) {
        const int32_t other = __shfl_up_sync(kFullMask, inclusive, offset);
        if (lane >= offset) inclusive += other;
      }
      if (g < buckets) bucket_start[g] = carry + inclusive - size;
      carry += __shfl_sync(kFullMask, inclusive, 31);
    }
  }
  __syncthreads();
  for (int g = tid; g < buckets; g += blockDim.x) next_row[g] += bucket_start[g];
  if (blockIdx.x == 0) {  // grouped-GEMM offsets: bucket ends relative to their level's first row
    for (int g = tid; g < buckets - 1; g += blockDim.x) {
      level_offsets[g] = bucket_start[g + 1] - bucket_start[g - g % b.n_experts];
    }
  }
  __syncthreads();

  const int64_t begin = static_cast<int64_t>(blockIdx.x) * chunk;
  const int64_t end = begin + chunk < n ? begin + chunk : n;
  const unsigned lower_lanes = (1u << lane) - 1u;
  for (int64_t tile = begin; tile < end; tile += kThreads) {
    const int64_t i = tile + tid;
    const bool valid = i < end;
    const int g = valid ? bucket_of(b, i) : -1;  // -1 never matches a real bucket
    const unsigned peers = __match_any_sync(kFullMask, g);
    const int rank_in_warp = __popc(peers & lower_lanes);
    const bool first_of_warp = rank_in_warp == 0;
    if (valid && first_of_warp) warp_count[warp * buckets + g] = __popc(peers);
    __syncthreads();
    int32_t row = 0;
    bool last_of_tile = false;
    if (valid) {
      int32_t in_earlier_warps = 0, in_later_warps = 0;
      for (int w = 0; w < kWarps; ++w) {
        const int32_t c = warp_count[w * buckets + g];
        if (w < warp) in_earlier_warps += c;
        if (w > warp) in_later_warps += c;
      }
      row = next_row[g] + in_earlier_warps + rank_in_warp;
      last_of_tile = in_later_warps == 0 && (peers >> lane) == 1u;  // highest lane of the last warp with g
      order[row] = i;
      tokens[row] = i / k;
      slot_of[i] = g == buckets - 1 ? -1 : row;
    }
    __syncthreads();  // every thread has read next_row and warp_count for this tile
    if (last_of_tile) next_row[g] = row + 1;
    if (valid && first_of_warp) warp_count[warp * buckets + g] = 0;
    __syncthreads();
  }
}

}  // namespace

int64_t permutation_scratch_size(int64_t n, int buckets) { return static_cast<int64_t>(block_count(n)) * buckets; }

void launch_permute_assignments(const int64_t* experts, const int64_t* hidden, const int64_t* level_widths, int levels,
                                int64_t n_experts, int64_t n, int k, int64_t* order, int64_t* tokens, int64_t* slot_of,
                                int32_t* level_offsets, int32_t* scratch, cudaStream_t stream) {
  MOSE_CUDA_REQUIRE(levels >= 1 && n_experts >= 1 && k >= 1 && n >= 0 && n <= 0x7fffffffLL);
  const int64_t buckets = static_cast<int64_t>(levels) * n_experts + 1;
  MOSE_CUDA_REQUIRE(buckets <= kMaxPermutationBuckets);
  MOSE_CUDA_REQUIRE(level_offsets != nullptr && scratch != nullptr && (hidden == nullptr || level_widths != nullptr));
  MOSE_CUDA_REQUIRE(n == 0 || (experts != nullptr && order != nullptr && tokens != nullptr && slot_of != nullptr));
  MOSE_CUDA_REQUIRE(hidden != nullptr || levels == 1);
  const Bucketing b{experts, hidden, level_widths, levels, static_cast<int>(n_experts), static_cast<int>(buckets)};
  const int64_t chunk = chunk_size(n);
  const int blocks = block_count(n);
  const size_t histogram_bytes = sizeof(int32_t) * static_cast<size_t>(buckets);
  count_buckets<<<blocks, kThreads, histogram_bytes, stream>>>(b, n, chunk, scratch);
  MOSE_CUDA_CHECK(cudaGetLastError());
  const size_t scatter_bytes = sizeof(int32_t) * static_cast<size_t>(buckets) * (2 + kWarps);
  scatter_assignments<<<blocks, kThreads, scatter_bytes, stream>>>(b, n, chunk, blocks, scratch, k, order, tokens,
                                                                   slot_of, level_offsets);
  MOSE_CUDA_CHECK(cudaGetLastError());
}

}  // namespace mose::kernels::cuda
