// Log-likelihood scoring of continuations and the two task kinds (see task_eval.h).
#include "core/eval/task_eval.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>
#include <torch/cuda.h>

#include <algorithm>
#include <chrono>
#include <numeric>

#include "base/errors.h"
#include "core/eval/stop_poll.h"
#include "core/model/autocast_guard.h"

namespace mose::core::eval {
namespace {

// The pieces that score `c` within the model's context: a target of at most seq_len
// tokens is one piece, its context cut from the left to fit; a longer one is scored in
// consecutive pieces of seq_len target tokens (the last shorter), each after as much of
// what precedes it (context, then the target so far) as fits, as lm-evaluation-harness's
// rolling log-likelihood does. log p(x | c) is the sum over the pieces, exactly the
// chain rule; only the context each token sees is bounded by the model.
std::vector<Continuation> fit_to_context(const Continuation& c, int64_t seq_len, const std::string& where,
                                         size_t index) {
  if (c.context.empty() || c.target.empty()) {
    throw DataError(fmt::format("{}: item {}: empty context or target after tokenization", where, index + 1));
  }
  std::vector<int64_t> all = c.context;
  all.insert(all.end(), c.target.begin(), c.target.end());
  const int64_t context = static_cast<int64_t>(c.context.size()), total = static_cast<int64_t>(all.size());
  std::vector<Continuation> pieces;
  for (int64_t begin = context; begin < total; begin += seq_len) {
    const int64_t end = std::min(total, begin + seq_len);
    const int64_t keep = std::min(begin, seq_len + 1 - (end - begin));  // >= 1: end - begin <= seq_len
    pieces.push_back({std::vector<int64_t>(all.begin() + (begin - keep), all.begin() + begin),
                      std::vector<int64_t>(all.begin() + begin, all.begin() + end)});
  }
  return pieces;
}

void add_scaled(spec::FlopsBreakdown& sum, const spec::FlopsBreakdown& f, double weight) {
  sum.attention_projections += weight * f.attention_projections;
  sum.attention_scores += weight * f.attention_scores;
  sum.router += weight * f.router;
  sum.experts += weight * f.experts;
  sum.dense_ffn += weight * f.dense_ffn;
  sum.lm_head += weight * f.lm_head;
}

std::vector<int64_t> encode(const data::Tokenizer& tokenizer, const std::string& text) {
  const std::vector<int32_t> ids = tokenizer.encode(text);
  return {ids.begin(), ids.end()};
}

// Runs one batch of sequences (indices into `items`, all fitted) and fills their scores.
void score_batch(model::LanguageModel& model, const std::vector<Continuation>& items, const std::vector<size_t>& batch,
                 const model::WidthChooser& widths, ScoringRun& run, spec::FlopsBreakdown& flops_sum,
                 std::vector<spec::MoeLayerStats>& run_stats) {
  const c10::Device device = model.parameters().front().device();
  int64_t length = 0;
  for (size_t i : batch) length = std::max<int64_t>(length, items[i].context.size() + items[i].target.size());
  at::Tensor tokens = at::zeros({static_cast<int64_t>(batch.size()), length}, at::kLong);
  auto t = tokens.accessor<int64_t, 2>();
  for (size_t row = 0; row < batch.size(); ++row) {
    int64_t col = 0;
    for (int64_t id : items[batch[row]].context) t[row][col++] = id;
    for (int64_t id : items[batch[row]].target) t[row][col++] = id;
  }
  tokens = device.is_cuda() ? tokens.pin_memory().to(device, /*non_blocking=*/true) : tokens.to(device);
  model::ForwardContext context;
  context.widths = &widths;
  context.collect_stats = true;
  model::CudaBf16Autocast bf16(device.is_cuda());
  const model::ForwardResult out = model.forward(tokens.narrow(1, 0, length - 1), context);
  const at::Tensor targets = tokens.narrow(1, 1, length - 1);
  const at::Tensor logp = out.logits.to(at::kFloat).log_softmax(-1).gather(2, targets.unsqueeze(-1)).squeeze(-1);
  const at::Tensor hit = out.logits.argmax(-1).eq(targets);
  const at::Tensor logp_cpu = logp.to(at::kDouble).cpu(), hit_cpu = hit.cpu();
  auto lp = logp_cpu.accessor<double, 2>();
  auto h = hit_cpu.accessor<bool, 2>();
  for (size_t row = 0; row < batch.size(); ++row) {
    const Continuation& c = items[batch[row]];
    ContinuationScore& s = run.scores[batch[row]];
    s.greedy = true;
    // Target token j sits at position context + j and is predicted at context + j - 1.
    for (size_t j = 0; j < c.target.size(); ++j) {
      const int64_t at_pos = static_cast<int64_t>(c.context.size() + j) - 1;
      s.logprob += lp[row][at_pos];
      s.greedy = s.greedy && h[row][at_pos];
    }
  }
  int64_t hidden_units = 0;
  const std::vector<spec::MoeLayerStats> stats = model::read_usage(out.moe_usage);  // every layer in one transfer
  run_stats.resize(stats.size());
  for (size_t l = 0; l < stats.size(); ++l) {
    hidden_units += stats[l].hidden_units;
    run_stats[l].accumulate(stats[l]);
  }
  const int64_t positions = static_cast<int64_t>(batch.size()) * (length - 1);
  add_scaled(flops_sum, spec::flops_per_token(model.config(), length - 1, hidden_units, positions),
             static_cast<double>(positions));
  run.tokens += positions;
}

spec::TaskResult task_result(const std::string& name, const char* kind, const ScoringRun& run, int64_t items) {
  spec::TaskResult r;
  r.name = name;
  r.kind = kind;
  r.items = items;
  r.tokens = run.tokens;
  r.flops = run.flops;
  r.expert_budget = run.expert_budget;
  r.seconds = run.seconds;
  r.tokens_per_s = run.seconds > 0 ? static_cast<double>(run.tokens) / run.seconds : 0.0;
  return r;
}

}  // namespace

ScoringRun score_continuations(model::LanguageModel& model, const std::vector<Continuation>& items,
                               const model::WidthChooser& widths, int batch_size, const std::string& where) {
  TORCH_CHECK(batch_size >= 1, "score_continuations: batch_size must be >= 1");
  std::vector<Continuation> fitted;
  std::vector<size_t> owner;  // the item each piece scores
  for (size_t i = 0; i < items.size(); ++i) {
    for (Continuation& piece : fit_to_context(items[i], model.config().seq_len, where, i)) {
      fitted.push_back(std::move(piece));
      owner.push_back(i);
    }
  }
  // Similar lengths together: little padding.
  std::vector<size_t> order(fitted.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return fitted[a].context.size() + fitted[a].target.size() < fitted[b].context.size() + fitted[b].target.size();
  });

  c10::AutoGradMode no_grad(false);
  const bool was_training = model.is_training();
  model.eval();
  ScoringRun run;
  run.scores.resize(fitted.size());
  spec::FlopsBreakdown flops_sum;
  std::vector<spec::MoeLayerStats> stats;
  const auto start = std::chrono::steady_clock::now();
  for (size_t begin = 0; begin < order.size(); begin += static_cast<size_t>(batch_size)) {
    throw_if_stop_requested();
    const size_t end = std::min(order.size(), begin + static_cast<size_t>(batch_size));
    score_batch(model, fitted, std::vector<size_t>(order.begin() + begin, order.begin() + end), widths, run, flops_sum,
                stats);
  }
  if (model.parameters().front().device().is_cuda()) torch::cuda::synchronize();
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (was_training) model.train();
  if (run.tokens > 0) add_scaled(run.flops, flops_sum, 1.0 / static_cast<double>(run.tokens));
  run.expert_budget = spec::achieved_width_budget(stats, model.config().expert_d_ff());
  std::vector<ContinuationScore> scores(items.size(), ContinuationScore{0.0, true});
  for (size_t p = 0; p < fitted.size(); ++p) {
    scores[owner[p]].logprob += run.scores[p].logprob;
    scores[owner[p]].greedy = scores[owner[p]].greedy && run.scores[p].greedy;
  }
  run.scores = std::move(scores);
  return run;
}

spec::TaskResult evaluate_choice_task(model::LanguageModel& model, const data::Tokenizer& tokenizer,
                                      const std::vector<data::ChoiceItem>& items, const model::WidthChooser& widths,
                                      int batch_size, const std::string& name) {
  std::vector<Continuation> sequences;
  for (const data::ChoiceItem& item : items) {
    const std::vector<int64_t> context = encode(tokenizer, item.context);
    for (const std::string& choice : item.choices) sequences.push_back({context, encode(tokenizer, choice)});
  }
  const ScoringRun run = score_continuations(model, sequences, widths, batch_size, name);
  int64_t right = 0, right_norm = 0;
  size_t next = 0;
  for (const data::ChoiceItem& item : items) {
    size_t best = 0, best_norm = 0;
    for (size_t c = 0; c < item.choices.size(); ++c) {
      const double lp = run.scores[next + c].logprob;
      const double norm = lp / static_cast<double>(item.choices[c].size());
      if (lp > run.scores[next + best].logprob) best = c;
      if (norm > run.scores[next + best_norm].logprob / static_cast<double>(item.choices[best_norm].size())) {
        best_norm = c;
      }
    }
    right += best == static_cast<size_t>(item.gold);
    right_norm += best_norm == static_cast<size_t>(item.gold);
    next += item.choices.size();
  }
  spec::TaskResult r = task_result(name, "multiple_choice", run, static_cast<int64_t>(items.size()));
  r.accuracy = static_cast<double>(right) / static_cast<double>(items.size());
  r.acc_norm = static_cast<double>(right_norm) / static_cast<double>(items.size());
  return r;
}

spec::TaskResult evaluate_last_word_task(model::LanguageModel& model, const data::Tokenizer& tokenizer,
                                         const std::vector<data::LastWordItem>& items,
                                         const model::WidthChooser& widths, int batch_size, const std::string& name) {
  std::vector<Continuation> sequences;
  for (const data::LastWordItem& item : items) {
    sequences.push_back({encode(tokenizer, item.context), encode(tokenizer, item.target)});
  }
  const ScoringRun run = score_continuations(model, sequences, widths, batch_size, name);
  int64_t right = 0;
  for (const ContinuationScore& s : run.scores) right += s.greedy;
  spec::TaskResult r = task_result(name, "last_word", run, static_cast<int64_t>(items.size()));
  r.accuracy = static_cast<double>(right) / static_cast<double>(items.size());
  return r;
}

spec::TaskResult evaluate_task(model::LanguageModel& model, const data::Tokenizer& tokenizer,
                               const std::filesystem::path& path, const model::WidthChooser& widths, int batch_size) {
  const std::string name = data::task_name(path);
  if (data::task_kind(path) == data::TaskKind::kMultipleChoice) {
    return evaluate_choice_task(model, tokenizer, data::read_choice_task(path), widths, batch_size, name);
  }
  return evaluate_last_word_task(model, tokenizer, data::read_last_word_task(path), widths, batch_size, name);
}

}  // namespace mose::core::eval
