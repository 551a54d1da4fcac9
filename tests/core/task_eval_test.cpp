// Zero-shot task scoring: JSONL / last-word readers and their errors, the scorer against
// known log-likelihoods (a model with all-zero weights predicts the uniform distribution)
// and against scoring each sequence by hand from the model's logits.
#include <ATen/ATen.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "base/errors.h"
#include "core/data/byte_tokenizer.h"
#include "core/eval/task_eval.h"
#include "core/model/gpt.h"
#include "test_support.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;
using namespace mose::core::eval;

namespace {

ModelConfig byte_model() {
  ModelConfig m = testing::tiny_model();
  m.vocab_size = data::ByteTokenizer::kVocabSize;
  return m;
}

std::vector<int64_t> bytes(const std::string& s) {
  std::vector<int64_t> ids;
  for (char c : s) ids.push_back(static_cast<unsigned char>(c));
  return ids;
}

// log p(target | context) by hand: one unpadded forward pass of the last seq_len + 1 tokens.
double reference_logprob(Gpt& model, const Continuation& c, const WidthChooser& widths, bool& greedy) {
  std::vector<int64_t> ids = c.context;
  ids.insert(ids.end(), c.target.begin(), c.target.end());
  const auto keep = std::min<int64_t>(static_cast<int64_t>(ids.size()), model.config().seq_len + 1);
  ids.erase(ids.begin(), ids.end() - keep);
  const at::Tensor tokens = at::tensor(ids, at::kLong).unsqueeze(0);
  torch::NoGradGuard no_grad;
  ForwardContext context;
  context.widths = &widths;
  const at::Tensor logits = model.forward(tokens.narrow(1, 0, keep - 1), context).logits[0];
  const at::Tensor logp = logits.log_softmax(-1);
  double sum = 0;
  greedy = true;
  const int64_t first = keep - static_cast<int64_t>(c.target.size());
  for (int64_t pos = first; pos < keep; ++pos) {
    sum += logp[pos - 1][ids[pos]].item<double>();
    greedy = greedy && logits[pos - 1].argmax().item<int64_t>() == ids[pos];
  }
  return sum;
}

}  // namespace

TEST_CASE("a uniform model gives the known log-likelihoods, acc and acc_norm", "[core][tasks]") {
  // All-zero weights: the final LayerNorm outputs 0, every logit is 0, p = 1/256 per byte,
  // so log p(choice) = -bytes(choice) * ln 256: acc picks the shortest choice and
  // acc_norm ties everywhere (-ln 256 per byte) and picks index 0.
  Gpt model(byte_model(), 1);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model.parameters()) p.zero_();
  }
  const data::ByteTokenizer bytes_tok;
  const std::vector<data::ChoiceItem> items{
      {"The sky is", {" blue", " a", " green"}, 1},      // gold shortest: acc right, acc_norm wrong
      {"Two plus two is", {" four", " 4", " five"}, 0},  // gold not shortest: acc wrong, acc_norm right
      {"Water is", {" wet", " dryish"}, 0}};             // gold shortest and first: both right
  const UniformWidth full(1.0);
  const TaskResult r = evaluate_choice_task(model, bytes_tok, items, full, 2, "hand");
  CHECK(r.items == 3);
  CHECK(r.accuracy == Approx(2.0 / 3));
  CHECK(r.acc_norm == Approx(2.0 / 3));
  CHECK(r.expert_budget == Approx(1.0));

  const ScoringRun run = score_continuations(model, {{bytes(" x"), bytes(" blue")}}, full, 4, "hand");
  CHECK(run.scores[0].logprob == Approx(-5 * std::log(256.0)));
}

TEST_CASE("batched scoring matches scoring each sequence by hand", "[core][tasks]") {
  Gpt model(byte_model(), 3);  // seq_len 16: the long contexts are cut from the left
  const std::vector<Continuation> items{{bytes("a"), bytes("b")},
                                        {bytes("hello wor"), bytes("ld")},
                                        {bytes("a much longer context than sixteen bytes"), bytes(" ends")},
                                        {bytes("xy"), bytes("zzzzzzzzzz")},
                                        {bytes("q"), bytes("0123456789abcdef")}};  // target fills the context
  for (double width : {1.0, 0.5}) {
    const UniformWidth widths(width);
    for (int batch : {1, 2, 5}) {
      const ScoringRun run = score_continuations(model, items, widths, batch, "batched");
      REQUIRE(run.scores.size() == items.size());
      for (size_t i = 0; i < items.size(); ++i) {
        bool greedy = false;
        const double expected = reference_logprob(model, items[i], widths, greedy);
        INFO("item " << i << " width " << width << " batch " << batch);
        CHECK(run.scores[i].logprob == Approx(expected).epsilon(1e-5));
        CHECK(run.scores[i].greedy == greedy);
      }
      CHECK(run.expert_budget == Approx(width));
    }
  }
}

// lm-evaluation-harness's rolling log-likelihood, written out: pieces of seq_len target
// tokens, each scored after everything before it (cut to the context by the reference).
TEST_CASE("a target longer than the context is scored in rolling pieces, never refused", "[core][tasks]") {
  Gpt model(byte_model(), 3);                                             // seq_len 16
  const std::string target = "0123456789abcdefghijklmnopqrstuvwxyzABCD";  // 40 bytes: pieces of 16, 16, 8
  const Continuation long_item{bytes("context"), bytes(target)};
  const UniformWidth full(1.0);
  double expected = 0;
  bool all_greedy = true;
  for (size_t begin = 0; begin < target.size(); begin += 16) {
    std::vector<int64_t> before = bytes("context" + target.substr(0, begin));
    const Continuation piece{before, bytes(target.substr(begin, 16))};
    bool greedy = false;
    expected += reference_logprob(model, piece, full, greedy);
    all_greedy = all_greedy && greedy;
  }
  for (int batch : {1, 3}) {
    const ScoringRun run = score_continuations(model, {{bytes("a"), bytes("b")}, long_item}, full, batch, "t");
    REQUIRE(run.scores.size() == 2);
    CHECK(run.scores[1].logprob == Approx(expected).epsilon(1e-5));
    CHECK(run.scores[1].greedy == all_greedy);
    CHECK(run.tokens >= 40);  // every target token was predicted once
  }
  // Independent of the model's output: all-zero weights give -ln 256 per target byte.
  Gpt uniform(byte_model(), 1);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : uniform.parameters()) p.zero_();
  }
  const ScoringRun run = score_continuations(uniform, {long_item}, full, 2, "t");
  CHECK(run.scores[0].logprob == Approx(-40 * std::log(256.0)));
}

TEST_CASE("last-word accuracy counts targets that greedy decoding reproduces", "[core][tasks]") {
  Gpt model(byte_model(), 5);
  const data::ByteTokenizer bytes_tok;
  const UniformWidth full(1.0);
  // Next-token logits after `text`.
  auto next_logits = [&](const std::string& text) {
    torch::NoGradGuard no_grad;
    ForwardContext fc;
    fc.widths = &full;
    return model.forward(at::tensor(bytes(text), at::kLong).unsqueeze(0), fc).logits[0][-1];
  };
  // Targets decoded greedily (3 bytes) are right; one whose first byte is the least
  // likely is wrong: accuracy 2/3.
  std::vector<data::LastWordItem> items;
  for (const std::string context : {"one two", "three four"}) {
    std::string target;
    for (int i = 0; i < 3; ++i) target += static_cast<char>(next_logits(context + target).argmax().item<int64_t>());
    items.push_back({context, target});
  }
  items.push_back({"five six", std::string(1, static_cast<char>(next_logits("five six").argmin().item<int64_t>()))});
  const TaskResult r = evaluate_last_word_task(model, bytes_tok, items, full, 2, "lw");
  CHECK(r.kind == "last_word");
  CHECK(r.items == 3);
  CHECK(r.accuracy == Approx(2.0 / 3));
}
