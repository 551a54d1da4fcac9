// Zero-shot task scoring by log-likelihood under any width chooser.
//
// A continuation (context c, target x) is scored as
//   log p(x | c) = sum_j log p(x_j | c, x_<j)         (natural log, the model's softmax)
// and is "greedy" when every x_j is the argmax of its next-token distribution, i.e.
// greedy decoding after c reproduces x exactly.
//   multiple choice: acc      = share of items whose gold choice has the largest log p;
//                    acc_norm = the same with log p(choice) / bytes(choice) (UTF-8 bytes:
//                    lm-eval-harness's acc_norm divides by the choice's length in
//                    characters; bytes equal characters for ASCII). Ties go to the
//                    lower index, as numpy's argmax does.
//   last word:       acc = share of passages whose last word (with the space before it)
//                    is greedy after the rest.
// Context and target are tokenized separately and concatenated, so the target's tokens
// are the same whatever precedes them. A sequence longer than the model's context keeps
// its last seq_len + 1 tokens (the context is cut from the left); a target longer than
// seq_len is scored in consecutive pieces of seq_len tokens, each after as much of what
// precedes it as fits (lm-evaluation-harness's rolling log-likelihood), never refused.
// Sequences run in batches of similar length, padded on the right (causal attention:
// padding never changes a scored position); FLOPs and the expert budget count every
// position run, padding included, because that is the compute spent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/data/task_data.h"
#include "core/data/tokenizer.h"
#include "core/model/language_model.h"
#include "core/model/width_chooser.h"
#include "core/spec/eval_result.h"

namespace mose::core::eval {

struct Continuation {
  std::vector<int64_t> context;  // at least one token
  std::vector<int64_t> target;   // at least one token
};

struct ContinuationScore {
  double logprob = 0;  // log p(target | context)
  bool greedy = false;
};

struct ScoringRun {
  std::vector<ContinuationScore> scores;  // per item, in the order given
  int64_t tokens = 0;                     // positions run, padding included
  spec::FlopsBreakdown flops;             // per position run
  double expert_budget = 0;               // spec::achieved_width_budget (core/spec/flops.h)
  double seconds = 0;
};

// `where` names the source in errors ("tasks/x.jsonl"). Runs in eval mode without gradients.
ScoringRun score_continuations(model::LanguageModel& model, const std::vector<Continuation>& items,
                               const model::WidthChooser& widths, int batch_size, const std::string& where);

spec::TaskResult evaluate_choice_task(model::LanguageModel& model, const data::Tokenizer& tokenizer,
                                      const std::vector<data::ChoiceItem>& items, const model::WidthChooser& widths,
                                      int batch_size, const std::string& name);

spec::TaskResult evaluate_last_word_task(model::LanguageModel& model, const data::Tokenizer& tokenizer,
                                         const std::vector<data::LastWordItem>& items,
                                         const model::WidthChooser& widths, int batch_size, const std::string& name);

// Reads `path` (kind by extension, task_data.h) and scores it; named data::task_name(path).
spec::TaskResult evaluate_task(model::LanguageModel& model, const data::Tokenizer& tokenizer,
                               const std::filesystem::path& path, const model::WidthChooser& widths, int batch_size);

}  // namespace mose::core::eval
