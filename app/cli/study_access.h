// How the inspecting commands (status, list, show, pareto, export, compare, gc) find
// a study: the shared options --out, --storage, --study and --recipe, resolved to an
// open store, the study record, and (for labels and axes) its recipe.
//
//   --storage URL   the store; default <out>/study.db
//   --out DIR       the study folder; default out/<study> (needs --study then)
//   --study NAME    default: the store's only study
//   --recipe PATH   labels and axes; default: the recipe the study was run from
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>

#include "db/storage.h"
#include "study/analysis/analysis.h"
#include "study/recipe/recipe.h"
#include "study/recipe/study_paths.h"

namespace mose::app::cli {

struct StudyOptions {
  std::string out;
  std::string storage;
  std::string study;
  std::string recipe;
};

void add_study_options(CLI::App& command, StudyOptions& options);

struct OpenedStudy {
  std::unique_ptr<db::Storage> storage;
  db::StudyRecord study;
  study::recipe::StudyPaths paths;
  std::optional<study::recipe::Recipe> recipe;

  study::analysis::StudyData load() const;
};

// Reading commands open stores read-only (db::StorageOptions::read_only): looking at
// a study never changes it, and a study on a read-only filesystem can be looked at.
enum class Access { kRead, kWrite };

// The store the options name. Throws UsageError when they name none, or a SQLite
// file that does not exist (opening would create an empty one).
std::unique_ptr<db::Storage> open_store(const StudyOptions& options, Access access = Access::kRead);

// The store (read-only), the study in it, its folder and recipe. Throws UsageError as
// open_store does, and when the store holds no such study (or several and --study is
// missing).
OpenedStudy open_study(const StudyOptions& options);

}  // namespace mose::app::cli
