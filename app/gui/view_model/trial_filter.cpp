#include "trial_filter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace mose::app::gui::view_model {
namespace {

std::string key_of(std::string_view facet, std::string_view value) { return fmt::format("{}\x1f{}", facet, value); }

std::optional<double> number(std::string_view text) {
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Numbers first, by value (0.25 < 0.5 < 1); then text, alphabetically.
bool value_before(const FacetValue& a, const FacetValue& b) {
  const std::optional<double> na = number(a.value), nb = number(b.value);
  if (na && nb) return *na < *nb;
  if (na.has_value() != nb.has_value()) return na.has_value();
  return a.value < b.value;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

void TrialFilter::rebuild(const StudySnapshot& snapshot) {
  std::vector<Facet> facets;
  std::map<std::string, std::size_t, std::less<>> facet_index;
  for (std::size_t i = 0; i < snapshot.data.trials.size(); ++i) {
    if (snapshot.data.trials[i].trial.kind != db::TrialKind::kEval) continue;
    for (const auto& [name, value] : snapshot.facets[i]) {
      auto [it, added] = facet_index.try_emplace(name, facets.size());
      if (added) facets.push_back({.name = name});
      std::vector<FacetValue>& values = facets[it->second].values;
      auto v = std::find_if(values.begin(), values.end(), [&](const FacetValue& f) { return f.value == value; });
      if (v == values.end()) {
        values.push_back({.value = value, .checked = !unchecked_.contains(key_of(name, value))});
        v = values.end() - 1;
      }
      ++v->trials;
    }
  }
  facets_.clear();
  for (Facet& facet : facets) {
    if (facet.values.size() < 2) continue;
    std::sort(facet.values.begin(), facet.values.end(), value_before);
    facets_.push_back(std::move(facet));
  }
}

bool TrialFilter::set_checked(std::string_view facet, std::string_view value, bool checked) {
  for (Facet& f : facets_) {
    if (f.name != facet) continue;
    for (FacetValue& v : f.values) {
      if (v.value != value) continue;
      v.checked = checked;
      if (checked) {
        unchecked_.erase(key_of(facet, value));
      } else {
        unchecked_[key_of(facet, value)] = true;
      }
      return true;
    }
  }
  return false;
}

bool TrialFilter::set_all(std::string_view facet, bool checked) {
  for (Facet& f : facets_) {
    if (f.name != facet) continue;
    for (FacetValue& v : f.values) set_checked(facet, v.value, checked);
    return true;
  }
  return false;
}

bool TrialFilter::passes(const StudySnapshot& snapshot, std::size_t index) const {
  if (!unchecked_.empty()) {
    for (const auto& [name, value] : snapshot.facets[index]) {
      if (unchecked_.contains(key_of(name, value))) return false;
    }
  }
  return matches_search(snapshot.data.trials[index], search_);
}

bool matches_search(const study::analysis::TrialRow& row, std::string_view text) {
  if (text.empty()) return true;
  return lower(fmt::format("#{} {}", row.trial.id, row.full_label())).find(lower(text)) != std::string::npos;
}

}  // namespace mose::app::gui::view_model
