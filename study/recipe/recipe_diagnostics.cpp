// Recipe error formatting and "did you mean" suggestions.
#include "study/recipe/recipe_diagnostics.h"

#include <fmt/format.h>

#include <algorithm>

namespace mose::study::recipe {
namespace {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, the
// commonest typo ("stduy"). O(|a| * |b|): keys are short.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string_view last_segment(std::string_view key) {
  const std::size_t dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

}  // namespace

std::string Where::text() const {
  if (line == 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

RecipeError recipe_error(const Where& where, std::string_view key, std::string_view problem,
                         std::string_view expected) {
  return RecipeError(fmt::format("{}: {}: {}; expected {}", where.text(), key, problem, expected));
}

std::vector<std::string> close_matches(std::string_view key, const std::vector<std::string>& known) {
  // A typo costs about one edit per three characters of the last segment (the part a
  // user types from memory); a key in the wrong table keeps its last segment.
  const std::size_t limit = std::max<std::size_t>(1, last_segment(key).size() / 3);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const std::string& candidate : known) {
    std::size_t score = edit_distance(key, candidate);
    if (score > limit) {
      if (last_segment(candidate) != last_segment(key)) continue;
      score = limit + 1;  // after every typo match
    }
    scored.emplace_back(score, candidate);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> best;
  for (std::size_t i = 0; i < scored.size() && i < 3; ++i) best.push_back(scored[i].second);
  return best;
}

RecipeError unknown_key_error(const Where& where, std::string_view shown, std::string_view key,
                              const std::vector<std::string>& known) {
  const std::vector<std::string> matches = close_matches(key, known);
  if (!matches.empty()) {
    return recipe_error(where, shown, "unknown key", "a known key such as " + join_alternatives(matches));
  }
  return recipe_error(where, shown, "unknown key", "one of " + join_alternatives(known, ", "));
}

std::string join_alternatives(const std::vector<std::string>& items, std::string_view last) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? std::string(last) : std::string(", ");
    out += items[i];
  }
  return out;
}

}  // namespace mose::study::recipe
