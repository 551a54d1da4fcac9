// Where a study keeps its files. One output folder per study:
//
//   <out>/study.db                     the trial store (unless --storage names another)
//   <out>/checkpoints/<hash>.pt        one checkpoint per training trial, by config hash
//   <out>/data/<hash>/                 prepared corpora (train.bin, val.bin, ...) when the
//                                      recipe leaves data.cache_dir empty; one folder per
//                                      distinct data setting, shared by the trials using it
//   <out>/trials.csv, frontier.*       exports (mose-study export, end of mose-study run)
//
// Paths are derived from config hashes, never stored as the identity of a trial, so a
// study folder can be moved as a whole.
#pragma once

#include <filesystem>
#include <string>

#include "core/spec/config.h"

namespace mose::study::recipe {

struct StudyPaths {
  std::filesystem::path out{};  // the study's folder
  std::string storage_url{};    // db::open_storage URL

  std::filesystem::path checkpoints() const { return out / "checkpoints"; }
  std::filesystem::path data_cache() const { return out / "data"; }
  // <out>/checkpoints/<training config hash>.pt
  std::filesystem::path checkpoint(const std::string& training_hash) const;
};

// `out` as given (default: out/<study name> under the working directory); the store
// is `storage_url` when non-empty, else <out>/study.db.
StudyPaths study_paths(const std::string& study_name, const std::filesystem::path& out, const std::string& storage_url);

// The config a worker runs: the recipe's, with the checkpoint path set, the data cache
// folder filled in when the recipe left it empty (<out>/data/<hash of the data
// settings>), and the device replaced when `device` is non-empty. None of these
// settings is part of the trial's identity (its config hash).
core::spec::RunConfig worker_config(const core::spec::RunConfig& config, const std::string& training_hash,
                                    const StudyPaths& paths, const std::string& device);

}  // namespace mose::study::recipe
