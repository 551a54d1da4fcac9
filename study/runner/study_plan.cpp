#include "study/runner/study_plan.h"

#include <filesystem>
#include <string>
#include <string_view>

#include "base/atomic_file.h"
#include "base/log.h"
#include "study/runner/identity_migration.h"

namespace mose::study::runner {
namespace {

// Each included file's text follows a "# ---- <path>" line naming it.
constexpr std::string_view kFileSeparator = "# ---- ";

// Absolute, with symlinks and "." / ".." resolved, so that a recipe given by a relative
// path, an absolute one or a link names its files the same way.
std::filesystem::path canonical_path(const std::filesystem::path& path) {
  std::error_code ignored;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ignored);
  return canonical.empty() ? std::filesystem::absolute(path).lexically_normal() : canonical;
}

// `text` with the path of every separator line made canonical: a study created before
// recipe_text wrote canonical paths stored them as given (relative to the working
// directory, where they are resolved here too), and must not read as another recipe.
std::string with_canonical_paths(std::string_view text) {
  std::string out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    end = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view line = text.substr(begin, end - begin);
    if (line.starts_with(kFileSeparator) && line.ends_with('\n') && line.size() > kFileSeparator.size() + 1) {
      const std::string_view path = line.substr(kFileSeparator.size(), line.size() - kFileSeparator.size() - 1);
      out += std::string(kFileSeparator) + canonical_path(path).string() + "\n";
    } else {
      out += line;
    }
    begin = end;
  }
  return out;
}

}  // namespace

std::optional<PlannedTrial> StudyPlan::find(std::int64_t id) const {
  const auto it = by_id.find(id);
  if (it == by_id.end()) return std::nullopt;
  return it->second;
}

std::vector<std::int64_t> StudyPlan::trial_ids() const {
  std::vector<std::int64_t> ids = training_ids;
  ids.insert(ids.end(), eval_ids.begin(), eval_ids.end());
  return ids;
}

std::string StudyPlan::label(std::int64_t id) const {
  const std::optional<PlannedTrial> planned = find(id);
  if (!planned) return "?";
  return planned->kind == db::TrialKind::kTrain ? recipe.training.at(planned->index).label
                                                : recipe.evaluation.at(planned->index).label;
}

std::string recipe_text(const recipe::Recipe& recipe) {
  std::string text;
  for (std::size_t i = 0; i < recipe.files.size(); ++i) {
    if (i > 0) text += "\n" + std::string(kFileSeparator) + canonical_path(recipe.files[i]).string() + "\n";
    text += read_file(recipe.files[i]);
  }
  return text;
}

StudyPlan register_study(db::Storage& storage, recipe::Recipe recipe, recipe::StudyPaths paths) {
  StudyPlan plan{.recipe = std::move(recipe), .paths = std::move(paths)};
  const recipe::Recipe& r = plan.recipe;
  const std::string text = recipe_text(r);
  plan.study = storage.create_or_get_study({r.name, canonical_path(r.path).string(), text});
  if (with_canonical_paths(plan.study.recipe_text) != text) {
    log::warn(
        "study '{}' in {} was created from another version of its recipe ({}); trials are matched by "
        "config hash, so unchanged trials keep their results",
        r.name, storage.describe(), plan.study.recipe_path);
  }
  migrate_trial_identities(storage, plan.study.id, r, plan.paths);
  std::vector<db::NewTrial> training;
  for (const recipe::TrainingTrialSpec& spec : r.training) {
    training.push_back({.kind = db::TrialKind::kTrain,
                        .config = spec.config_json,
                        .config_hash = spec.config_hash,
                        .seed = static_cast<std::int64_t>(spec.config.train.seed)});
  }
  for (const db::AddedTrial& added : storage.add_trials(plan.study.id, training)) {
    plan.by_id[added.id] = {db::TrialKind::kTrain, plan.training_ids.size()};
    plan.training_ids.push_back(added.id);
    plan.added += added.inserted ? 1 : 0;
  }
  std::vector<db::NewTrial> evaluation;
  for (const recipe::EvalTrialSpec& spec : r.evaluation) {
    const recipe::TrainingTrialSpec& parent = r.training.at(spec.training_index);
    evaluation.push_back({.kind = db::TrialKind::kEval,
                          .config = spec.config_json,
                          .config_hash = spec.config_hash,
                          .parent_id = plan.training_ids.at(spec.training_index),
                          .seed = static_cast<std::int64_t>(parent.config.train.seed)});
  }
  for (const db::AddedTrial& added : storage.add_trials(plan.study.id, evaluation)) {
    plan.by_id[added.id] = {db::TrialKind::kEval, plan.eval_ids.size()};
    plan.eval_ids.push_back(added.id);
    plan.added += added.inserted ? 1 : 0;
  }
  return plan;
}

}  // namespace mose::study::runner
