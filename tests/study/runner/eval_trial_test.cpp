// Evaluation trials refuse a damaged checkpoint: bytes flipped inside a finished
// training trial's checkpoint fail its evaluations with the file and both checksums
// named, and no result is recorded for them.
#include "study/runner/eval_trial.h"

#include <catch2/catch.hpp>

#include "db/storage.h"
#include "fault_injection.h"
#include "study/runner/runner.h"
#include "study/tiny_recipe.h"

namespace mose::study::runner {

TEST_CASE("evaluations of a damaged checkpoint fail naming the file and both checksums", "[study][runner]") {
  testing::ScratchDir dir("damaged_eval");
  const recipe::Recipe recipe = recipe::load_recipe(testing::write_recipe(
      dir.path(),
      testing::tiny_recipe_text("damaged", dir.path(), 6, "[[policy]]\nname = \"uniform\"\nwidths = [0.5, 1.0]\n")));
  const RunOptions options = testing::options_in(dir);
  const RunReport trained = run_study(recipe, options);
  REQUIRE(trained.counts.done == 3);
  const auto storage = db::open_storage(trained.plan.paths.storage_url);
  const std::filesystem::path checkpoint = trained.plan.paths.checkpoint(recipe.training[0].config_hash);
  const std::string recorded = storage->get_artifacts(trained.plan.training_ids[0]).at(0).checksum;

  testing::flip_middle_bytes(checkpoint);
  for (const std::int64_t id : trained.plan.eval_ids) REQUIRE(storage->reset_trial(id));
  const RunReport evaluated = run_study(recipe, options);
  CHECK(evaluated.exit_code() == 1);
  CHECK(evaluated.counts.failed == 2);
  REQUIRE(evaluated.failures.size() == 2);
  for (const FailedTrial& failure : evaluated.failures) {
    CHECK_THAT(failure.error, Catch::Matchers::Contains(checkpoint.string()) &&
                                  Catch::Matchers::Contains("does not match " + recorded) &&
                                  Catch::Matchers::Contains("damaged"));
  }
  for (const std::int64_t id : trained.plan.eval_ids) CHECK(storage->get_metrics({id}).empty());
}

}  // namespace mose::study::runner
