// Validation LM loss of a model under any width chooser, over a fixed set of windows,
// with FLOPs counted from the widths really used (token by token) and wall-clock time.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "core/model/forward_context.h"
#include "core/model/language_model.h"
#include "core/model/width_chooser.h"
#include "core/spec/eval_result.h"

namespace mose::core::eval {

// windows: [N, seq_len + 1] int64 (CPU). Runs in batches of batch_size on the model's device,
// in eval mode, without gradients.
spec::LmEvalResult evaluate_lm(model::LanguageModel& model, const at::Tensor& windows,
                               const model::WidthChooser& widths, int batch_size);

}  // namespace mose::core::eval
