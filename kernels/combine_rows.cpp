#include "kernels/combine_rows.h"

#include <ATen/ATen.h>

#ifdef MOSE_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>

#include "kernels/cuda/combine_rows.cuh"
#endif

namespace mose::kernels {
namespace {

void check_inputs(const at::Tensor& rows, const at::Tensor& slot_of, const at::Tensor& gate) {
  TORCH_CHECK(rows.dim() == 2, "combine_rows: rows must be [N, d], got ", rows.sizes());
  TORCH_CHECK(slot_of.dim() == 2 && slot_of.scalar_type() == at::kLong, "combine_rows: slot_of must be [T, k] int64");
  TORCH_CHECK(!gate.defined() || gate.sizes() == slot_of.sizes(), "combine_rows: gate must be ", slot_of.sizes(),
              ", got ", gate.sizes());
}

#ifdef MOSE_WITH_CUDA
cuda::ElementType element_type(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return cuda::ElementType::kFloat32;
    case at::kBFloat16: return cuda::ElementType::kBFloat16;
    case at::kHalf: return cuda::ElementType::kFloat16;
    default: TORCH_CHECK(false, "combine_rows: unsupported dtype ", t);
  }
}

bool cuda_supported(const at::Tensor& rows, const at::Tensor& slot_of, at::ScalarType out_dtype) {
  auto ok = [](at::ScalarType t) { return t == at::kFloat || t == at::kBFloat16 || t == at::kHalf; };
  return rows.is_cuda() && ok(rows.scalar_type()) && ok(out_dtype) && slot_of.size(1) <= cuda::kMaxCombineK;
}
#endif

}  // namespace

at::Tensor combine_rows_reference(const at::Tensor& rows, const at::Tensor& slot_of, const at::Tensor& gate,
                                  at::ScalarType out_dtype) {
  check_inputs(rows, slot_of, gate);
  const int64_t tokens = slot_of.size(0), k = slot_of.size(1), d = rows.size(1);
  at::Tensor computed = slot_of.ge(0);
  at::Tensor weight =
      gate.defined() ? gate.to(at::kFloat) : at::ones(slot_of.sizes(), rows.options().dtype(at::kFloat));
  weight = at::where(computed, weight, at::zeros({}, weight.options()));
  if (rows.size(0) == 0) return at::zeros({tokens, d}, rows.options().dtype(out_dtype));
  // Slot -1 reads row 0 and is then masked to an exact zero (where, not a product: row 0 may be
  // anything when nothing was computed).
  at::Tensor picked = rows.index_select(0, slot_of.clamp_min(0).reshape({-1})).to(at::kFloat).reshape({tokens, k, d});
  picked = at::where(computed.unsqueeze(2), picked, at::zeros({}, picked.options()));
  return at::bmm(weight.unsqueeze(1), picked).squeeze(1).to(out_dtype);
}

at::Tensor combine_rows(const at::Tensor& rows, const at::Tensor& slot_of, const at::Tensor& gate,
                        at::ScalarType out_dtype) {
  check_inputs(rows, slot_of, gate);
#ifdef MOSE_WITH_CUDA
  if (cuda_supported(rows, slot_of, out_dtype)) {
    at::Tensor r = rows.contiguous(), slots = slot_of.contiguous();
    at::Tensor g = gate.defined() ? gate.to(at::kFloat).contiguous() : at::Tensor();
    at::Tensor out = at::empty({slot_of.size(0), rows.size(1)}, rows.options().dtype(out_dtype));
    cuda::launch_combine_rows(r.data_ptr(), element_type(r.scalar_type()), r.size(0), r.size(1),
                              slots.data_ptr<int64_t>(), g.defined() ? g.data_ptr<float>() : nullptr, slots.size(0),
                              static_cast<int>(slots.size(1)), out.data_ptr(), element_type(out_dtype),
                              at::cuda::getCurrentCUDAStream());
    return out;
  }
#endif
  return combine_rows_reference(rows, slot_of, gate, out_dtype);
}

}  // namespace mose::kernels
