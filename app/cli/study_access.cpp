#include "study_access.h"

#include <fmt/format.h>

#include <filesystem>

#include "base/errors.h"
#include "db/storage_url.h"

namespace mose::app::cli {
namespace {

// Opening a SQLite path that does not exist would create an empty store; for commands
// that only read, a missing file is a mistake in the options.
void require_existing_store(const std::string& url) {
  const db::StorageUrl parsed = db::parse_storage_url(url);
  if (parsed.backend == db::Backend::kSqlite && !std::filesystem::exists(parsed.location)) {
    throw UsageError(fmt::format("no study store at {}; run a recipe first or point --out/--storage at one", url));
  }
}

std::string storage_url(const StudyOptions& options) {
  if (!options.storage.empty()) return options.storage;
  if (!options.out.empty()) return (std::filesystem::path(options.out) / "study.db").string();
  if (!options.study.empty()) return (std::filesystem::path("out") / options.study / "study.db").string();
  throw UsageError("which study? give --out DIR (the study folder), --storage URL or --study NAME");
}

// --out, or else the folder of a SQLite store (the default store is <out>/study.db),
// or else empty (study_paths then takes out/<study>).
std::filesystem::path study_folder(const StudyOptions& options, const std::string& url) {
  if (!options.out.empty()) return options.out;
  const db::StorageUrl parsed = db::parse_storage_url(url);
  if (parsed.backend == db::Backend::kSqlite) return std::filesystem::path(parsed.location).parent_path();
  return {};
}

}  // namespace

void add_study_options(CLI::App& command, StudyOptions& options) {
  command.add_option("--out", options.out, "the study folder (default: out/<study>)");
  command.add_option("--storage", options.storage, "the study store URL (default: <out>/study.db)");
  command.add_option("--study", options.study, "the study's name (default: the store's only study)");
  command.add_option("--recipe", options.recipe,
                     "recipe for trial labels and axes (default: the one the study was run from)");
}

study::analysis::StudyData OpenedStudy::load() const {
  return study::analysis::load_study_data(*storage, study, recipe ? &*recipe : nullptr);
}

std::unique_ptr<db::Storage> open_store(const StudyOptions& options, Access access) {
  const std::string url = storage_url(options);
  require_existing_store(url);
  return db::open_storage(url, {.read_only = access == Access::kRead});
}

OpenedStudy open_study(const StudyOptions& options) {
  const std::string url = storage_url(options);
  OpenedStudy opened;
  opened.storage = open_store(options);
  opened.study = study::analysis::find_study(*opened.storage, options.study);
  opened.paths = study::recipe::study_paths(opened.study.name, study_folder(options, url), url);
  opened.recipe = options.recipe.empty()
                      ? study::analysis::load_study_recipe(opened.study)
                      : std::optional<study::recipe::Recipe>(study::recipe::load_recipe(options.recipe));
  return opened;
}

}  // namespace mose::app::cli
