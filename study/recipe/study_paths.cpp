#include "study/recipe/study_paths.h"

#include "core/spec/settings.h"

namespace mose::study::recipe {
namespace {

// The data settings that decide the prepared token files: every "data." entry of the
// canonical listing (cache_dir is not among them), hashed.
std::string data_settings_hash(const core::spec::RunConfig& config) {
  std::string text;
  for (const auto& [key, value] : core::spec::config_entries(config)) {
    if (key.rfind("data.", 0) == 0) text += key + "=" + value + "\n";
  }
  return core::spec::stable_hash(text);
}

}  // namespace

std::filesystem::path StudyPaths::checkpoint(const std::string& training_hash) const {
  return checkpoints() / (training_hash + ".pt");
}

StudyPaths study_paths(const std::string& study_name, const std::filesystem::path& out,
                       const std::string& storage_url) {
  StudyPaths paths;
  paths.out = out.empty() ? std::filesystem::path("out") / study_name : out;
  paths.storage_url = storage_url.empty() ? (paths.out / "study.db").string() : storage_url;
  return paths;
}

core::spec::RunConfig worker_config(const core::spec::RunConfig& config, const std::string& training_hash,
                                    const StudyPaths& paths, const std::string& device) {
  core::spec::RunConfig resolved = config;
  resolved.train.checkpoint_path = paths.checkpoint(training_hash).string();
  if (resolved.data.cache_dir.empty()) resolved.data.cache_dir = paths.data_cache() / data_settings_hash(config);
  if (!device.empty()) resolved.train.device = device;
  return resolved;
}

}  // namespace mose::study::recipe
