// Which evaluation trials the frontier view shows: one checkbox per value of every
// facet (study_snapshot.h: mode, routing, policy, policy parameters, seed, recipe
// axes) and a text search over trial ids and labels. A trial passes when, for every
// facet it has, its value is checked, and the search text (case-insensitive) is part
// of "#<id> <full label>". A facet value new in a later snapshot starts checked; the
// ones unchecked before stay unchecked.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "app/gui/view_model/study_snapshot.h"

namespace mose::app::gui::view_model {

struct FacetValue {
  std::string value{};
  std::size_t trials = 0;  // evaluation trials with this value
  bool checked = true;
};

struct Facet {
  std::string name{};
  std::vector<FacetValue> values{};  // sorted: numbers by value, then text
};

class TrialFilter {
 public:
  // The facets of `snapshot`'s evaluation trials, in first-seen order, keeping the
  // checkbox states of values seen before. A facet with a single value (a setting no
  // trial varies, e.g. a ttt grid) is left out: it cannot tell trials apart.
  void rebuild(const StudySnapshot& snapshot);

  const std::vector<Facet>& facets() const { return facets_; }
  // Returns false when the snapshot has no such facet value.
  bool set_checked(std::string_view facet, std::string_view value, bool checked);
  // Checks (or unchecks) every value of one facet; false when there is no such facet.
  bool set_all(std::string_view facet, bool checked);

  const std::string& search() const { return search_; }
  void set_search(std::string text) { search_ = std::move(text); }

  // Trial index `index` of `snapshot` passes the checkboxes and the search.
  bool passes(const StudySnapshot& snapshot, std::size_t index) const;

 private:
  std::vector<Facet> facets_{};
  std::map<std::string, bool, std::less<>> unchecked_{};  // "facet\x1fvalue" -> true
  std::string search_{};
};

// Case-insensitive: does "#<id> <full label>" of `row` contain `text`? Empty text matches.
bool matches_search(const study::analysis::TrialRow& row, std::string_view text);

}  // namespace mose::app::gui::view_model
