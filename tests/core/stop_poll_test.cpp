// Evaluation stops within a batch once its caller asks (core/eval/stop_poll.h): the LM
// evaluation, a calibrating policy's fit and task scoring each poll before every batch
// and end with spec::EvaluationStopped; without a poll nothing changes.
#include "core/eval/stop_poll.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "core/eval/evaluate.h"
#include "core/eval/task_eval.h"
#include "core/model/language_model.h"
#include "core/model/width_chooser.h"
#include "core/policy/width_policies.h"
#include "core/spec/engine.h"
#include "test_support.h"

using namespace mose::core;

namespace {

// A poll that answers true from its `stop_at`-th call on, counting its calls.
struct CountingPoll {
  int stop_at = 0;
  int calls = 0;
  std::function<bool()> poll() {
    return [this] { return ++calls >= stop_at; };
  }
};

}  // namespace

TEST_CASE("evaluation, calibration and task scoring stop at the next batch once asked", "[core][eval][stop]") {
  const spec::ModelConfig config = testing::tiny_model();
  const auto model = model::make_model(config, 1);
  const at::Tensor windows = testing::synthetic_batches(16, config.seq_len, config.vocab_size)(0, 0);
  const model::UniformWidth full(1.0);

  // 16 windows in batches of 4: the poll is asked before each, and the third answer stops it.
  CountingPoll lm{.stop_at = 3};
  {
    const eval::StopPollScope scope(lm.poll(), "the tiny model");
    CHECK_THROWS_MATCHES(eval::evaluate_lm(*model, windows, full, 4), spec::EvaluationStopped,
                         Catch::Matchers::Predicate<spec::EvaluationStopped>([](const auto& e) {
                           return std::string(e.what()) == "evaluation of the tiny model stopped on request";
                         }));
  }
  CHECK(lm.calls == 3);

  // ttt's calibration runs the model many times (routing, then a loss per gamma tried).
  CountingPoll calibration{.stop_at = 10};
  {
    const eval::StopPollScope scope(calibration.poll(), "calibration");
    spec::WidthPolicySpec ttt;
    ttt.name = "ttt";
    ttt.budget = 0.5;
    CHECK_THROWS_AS(policy::make_width_policy(ttt, *model, windows, 4), spec::EvaluationStopped);
  }
  CHECK(calibration.calls == 10);

  std::vector<eval::Continuation> items(12, eval::Continuation{{1, 2, 3}, {4, 5}});
  CountingPoll tasks{.stop_at = 2};
  {
    const eval::StopPollScope scope(tasks.poll(), "tasks");
    CHECK_THROWS_AS(eval::score_continuations(*model, items, full, 4, "items"), spec::EvaluationStopped);
  }
  CHECK(tasks.calls == 2);

  // Without a poll (and after the scopes ended), evaluation runs to its end.
  CHECK(eval::evaluate_lm(*model, windows, full, 4).tokens == 16 * config.seq_len);
  CHECK(eval::score_continuations(*model, items, full, 4, "items").scores.size() == 12);
}
