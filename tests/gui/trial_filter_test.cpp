// Filter facets of the fixture study: which facets exist, their values and counts, and
// the search text.
#include <catch2/catch.hpp>

#include "app/gui/view_model/trial_filter.h"
#include "gui/gui_test_support.h"

namespace mose::app::gui::view_model {
namespace {

const Facet& facet(const TrialFilter& filter, const std::string& name) {
  for (const Facet& f : filter.facets()) {
    if (f.name == name) return f;
  }
  FAIL("no facet " << name);
  throw std::logic_error("unreachable");
}

std::vector<std::string> values(const Facet& f) {
  std::vector<std::string> out;
  for (const FacetValue& v : f.values) out.push_back(v.value);
  return out;
}

TEST_CASE("trial filter: facets per sweep axis and policy parameter, numbers sorted by value", "[gui][trial_filter]") {
  const auto loaded = testing::load_fixture("facets");
  TrialFilter filter;
  filter.rebuild(*loaded.snapshot);
  REQUIRE(values(facet(filter, "mode")) == std::vector<std::string>{"moe", "mose"});
  REQUIRE(values(facet(filter, "policy")) == std::vector<std::string>{"ttt", "uniform"});
  REQUIRE(values(facet(filter, "policy.width")) == std::vector<std::string>{"0.25", "0.5", "0.75", "1"});
  REQUIRE(values(facet(filter, "policy.budget")) == std::vector<std::string>{"0.25", "0.5", "0.75"});
  REQUIRE(values(facet(filter, "model.router.top_k")) == std::vector<std::string>{"1", "2"});
  REQUIRE(values(facet(filter, "seed")) == std::vector<std::string>{"1", "2"});
  // 8 trained models x 7 policies; each seed has half of them.
  REQUIRE(facet(filter, "seed").values[0].trials == 28);
  REQUIRE(facet(filter, "policy").values[1].trials == 32);
  // ttt's grid is each model's trained widths (the eighths for standard MoE): it varies.
  REQUIRE(values(facet(filter, "policy.grid")) ==
          std::vector<std::string>{"[0.125,0.25,0.375,0.5,0.625,0.75,0.875,1]", "[0.25,0.5,1]"});
  // Settings no trial varies (ttt's gamma) are no use as filters.
  for (const Facet& f : filter.facets()) {
    REQUIRE(f.name != "policy.gamma");
    REQUIRE(f.values.size() >= 2);
  }
}

TEST_CASE("trial filter: an unchecked value hides its trials, set_all and unknown values", "[gui][trial_filter]") {
  const auto loaded = testing::load_fixture("uncheck");
  const StudySnapshot& snapshot = *loaded.snapshot;
  TrialFilter filter;
  filter.rebuild(snapshot);
  REQUIRE(filter.set_checked("mode", "moe", false));
  for (std::size_t i = 0; i < snapshot.data.trials.size(); ++i) {
    if (snapshot.data.trials[i].trial.kind != db::TrialKind::kEval) continue;
    REQUIRE(filter.passes(snapshot, i) == (snapshot.data.trials[i].mode == "mose"));
  }
  REQUIRE_FALSE(filter.set_checked("mode", "dense", false));
  REQUIRE_FALSE(filter.set_checked("nonexistent", "x", false));
  REQUIRE(filter.set_all("mode", true));
  REQUIRE(facet(filter, "mode").values[0].checked);
  REQUIRE_FALSE(filter.set_all("nonexistent", true));
}

TEST_CASE("trial filter: search is case-insensitive over id and labels", "[gui][trial_filter]") {
  study::analysis::TrialRow row;
  row.trial.id = 42;
  row.label = "policy=uniform,width=0.5";
  row.training_label = "mode=MoSE,model.router.top_k=2";
  REQUIRE(matches_search(row, ""));
  REQUIRE(matches_search(row, "#42"));
  REQUIRE(matches_search(row, "mose"));
  REQUIRE(matches_search(row, "WIDTH=0.5"));
  REQUIRE_FALSE(matches_search(row, "#4 "));
  REQUIRE_FALSE(matches_search(row, "ttt"));
}

}  // namespace
}  // namespace mose::app::gui::view_model
