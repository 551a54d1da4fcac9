// Weighted gather-sum, one token per block: the k (slot, gate) pairs of the token are
// read once into shared memory, then each thread walks columns with a block-wide stride and
// accumulates in fp32. Consecutive threads read consecutive columns of the same source row,
// so loads and stores are coalesced. No atomics: each output element has one writer, which
// makes the result independent of k and of the order rows were produced in.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "kernels/cuda/combine_rows.cuh"
#include "kernels/cuda/cuda_check.cuh"

namespace mose::kernels::cuda {
namespace {

constexpr int kThreads = 256;

__device__ inline float to_float(float v) { return v; }
__device__ inline float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }
__device__ inline float to_float(__half v) { return __half2float(v); }

template <typename T>
__device__ inline T from_float(float v);
template <>
__device__ inline float from_float<float>(float v) {
  return v;
}
template <>
__device__ inline __nv_bfloat16 from_float<__nv_bfloat16>(float v) {
  return __float2bfloat16(v);
}
template <>
__device__ inline __half from_float<__half>(float v) {
  return __float2half(v);
}

template <typename In, typename Out>
__global__ void combine_rows_kernel(const In* __restrict__ rows, int64_t d, const int64_t* __restrict__ slot_of,
                                    const float* __restrict__ gate, int k, Out* __restrict__ out) {
  const int64_t token = blockIdx.x;
  // The token's computed (row, gate) pairs, compacted by one thread into shared memory:
  // indexed at run time, they would live in local memory if held per thread.
  __shared__ int64_t slot[kMaxCombineK];
  __shared__ float weight[kMaxCombineK];
  __shared__ int used;
  if (threadIdx.x == 0) {
    int n = 0;
    for (int j = 0; j < k; ++j) {
      const int64_t s = slot_of[token * k + j];
      if (s < 0) continue;
      slot[n] = s;
      weight[n] = gate == nullptr ? 1.0f : gate[token * k + j];
      ++n;
    }
    used = n;
  }
  __syncthreads();
  for (int64_t c = threadIdx.x; c < d; c += blockDim.x) {
    float acc = 0.0f;
    for (int j = 0; j < used; ++j) acc += weight[j] * to_float(rows[slot[j] * d + c]);
    out[token * d + c] = from_float<Out>(acc);
  }
}

bool known(ElementType t) {
  return t == ElementType::kFloat32 || t == ElementType::kBFloat16 || t == ElementType::kFloat16;
}

template <typename In, typename Out>
void launch_typed(const void* rows, int64_t d, const int64_t* slot_of, const float* gate, int64_t tokens, int k,
                  void* out, cudaStream_t stream) {
  const int threads = d >= kThreads ? kThreads : static_cast<int>((d + 31) / 32 * 32);
  combine_rows_kernel<In, Out><<<static_cast<unsigned>(tokens), threads, 0, stream>>>(
      static_cast<const In*>(rows), d, slot_of, gate, k, static_cast<Out*>(out));
  MOSE_CUDA_CHECK(cudaGetLastError());
}

template <typename In>
void launch_for_output(const void* rows, int64_t d, const int64_t* slot_of, const float* gate, int64_t tokens, int k,
                       void* out, ElementType out_type, cudaStream_t stream) {
  switch (out_type) {
    case ElementType::kFloat32: return launch_typed<In, float>(rows, d, slot_of, gate, tokens, k, out, stream);
    case ElementType::kBFloat16: return launch_typed<In, __nv_bfloat16>(rows, d, slot_of, gate, tokens, k, out, stream);
    case ElementType::kFloat16: return launch_typed<In, __half>(rows, d, slot_of, gate, tokens, k, out, stream);
  }
}

}  // namespace

void launch_combine_rows(const void* rows, ElementType rows_type, int64_t n_rows, int64_t d, const int64_t* slot_of,
                         const float* gate, int64_t tokens, int k, void* out, ElementType out_type,
                         cudaStream_t stream) {
  MOSE_CUDA_REQUIRE(k >= 1 && k <= kMaxCombineK);
  MOSE_CUDA_REQUIRE(known(rows_type) && known(out_type));
  if (tokens == 0 || d == 0) return;
  MOSE_CUDA_REQUIRE(slot_of != nullptr && out != nullptr && (rows != nullptr || n_rows == 0));
  MOSE_CUDA_REQUIRE(tokens <= 0x7fffffffLL);  // one block per token on grid x
  switch (rows_type) {
    case ElementType::kFloat32:
      return launch_for_output<float>(rows, d, slot_of, gate, tokens, k, out, out_type, stream);
    case ElementType::kBFloat16:
      return launch_for_output<__nv_bfloat16>(rows, d, slot_of, gate, tokens, k, out, out_type, stream);
    case ElementType::kFloat16:
      return launch_for_output<__half>(rows, d, slot_of, gate, tokens, k, out, out_type, stream);
  }
}

}  // namespace mose::kernels::cuda
