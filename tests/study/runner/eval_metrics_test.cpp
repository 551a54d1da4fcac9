// The metrics an evaluation records: budget honesty and zero-shot task scores by name.
#include "study/runner/eval_metrics.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <string>

namespace mose::study::runner {
namespace {

std::map<std::string, double> by_name(const std::vector<db::Metric>& metrics) {
  std::map<std::string, double> out;
  for (const db::Metric& m : metrics) {
    INFO(m.name);
    CHECK(out.emplace(m.name, m.value).second);  // each name once
  }
  return out;
}

}  // namespace

TEST_CASE("eval metrics record the target budget, its error and each task's scores", "[study][eval]") {
  core::spec::LmEvalResult r;
  r.lm_loss = 2.0;
  r.tokens = 100;
  r.expert_budget = 0.7425;
  r.target_budget = 0.75;
  r.budget_note = "expert budget 0.7425 misses the target 0.75 by -1.00%: ...";
  core::spec::TaskResult mc;
  mc.name = "wordnet-gloss";
  mc.kind = "multiple_choice";
  mc.items = 300;
  mc.accuracy = 0.5;
  mc.acc_norm = 0.45;
  core::spec::TaskResult lw;
  lw.name = "gcide-lastword";
  lw.kind = "last_word";
  lw.items = 300;
  lw.accuracy = 0.1;
  r.tasks = {mc, lw};
  const auto m = by_name(eval_metrics(r, core::spec::ModelConfig{}));
  CHECK(m.at("budget") == 0.75);
  CHECK(m.at("budget_error") == Approx(-0.01));
  CHECK(m.at("budget_met") == 0.0);
  CHECK(m.at("task/wordnet-gloss/acc") == 0.5);
  CHECK(m.at("task/wordnet-gloss/acc_norm") == 0.45);
  CHECK(m.at("task/wordnet-gloss/items") == 300);
  CHECK(m.at("task/gcide-lastword/acc") == 0.1);
  CHECK_FALSE(m.contains("task/gcide-lastword/acc_norm"));  // last word has no length normalisation

  r.budget_note.clear();
  r.expert_budget = 0.75;
  CHECK(by_name(eval_metrics(r, core::spec::ModelConfig{})).at("budget_met") == 1.0);
  r.target_budget = std::nan("");
  CHECK_FALSE(by_name(eval_metrics(r, core::spec::ModelConfig{})).contains("budget"));
}

}  // namespace mose::study::runner

namespace mose::study::runner {

TEST_CASE("eval metrics record per-layer expert usage and the width histogram", "[study][eval]") {
  core::spec::ModelConfig model;  // d_ff 512, 4 experts
  core::spec::MoeLayerStats layer;
  layer.tokens = 10;
  layer.assignments = 20;  // 2 chosen per token, 4 dropped by capacity
  layer.dropped = 4;
  layer.tokens_without_expert = 1;
  layer.tokens_per_expert = {8, 4, 4, 0};
  layer.width_histogram.assign(513, 0);
  layer.width_histogram[128] = 12;  // 12 of the 16 that ran at width 0.25, 4 at full width
  layer.width_histogram[512] = 4;
  layer.hidden_units = 12 * 128 + 4 * 512;
  core::spec::LmEvalResult r;
  r.target_budget = std::nan("");
  r.layers = {layer};
  const auto m = by_name(eval_metrics(r, model));
  CHECK(m.at("moe0.experts_per_token") == Approx(1.6));
  CHECK(m.at("moe0.dropped_fraction") == Approx(0.2));
  CHECK(m.at("moe0.dropped_tokens_fraction") == Approx(0.1));
  CHECK(m.at("moe0.expert0.share") == Approx(0.5));
  CHECK(m.at("moe0.expert3.share") == 0.0);
  CHECK(m.at("moe0.width_share.0.250") == Approx(0.75));
  CHECK(m.at("moe0.width_share.1.000") == Approx(0.25));
  CHECK_FALSE(m.contains("moe0.width_share.0.500"));
  CHECK(m.at("moe0.mean_width") == Approx((12 * 0.25 + 4 * 1.0) / 16));
  CHECK_FALSE(m.contains("moe0.null_fraction"));  // no null experts
}

}  // namespace mose::study::runner
