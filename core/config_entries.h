// The canonical flat listing of a RunConfig: dotted keys (the recipe's key paths) with
// canonically formatted values, in a fixed order. One listing serves three needs: the
// fingerprint that ties a checkpoint to the settings that made it, the study's canonical
// config JSON and hash, and human-readable trial diffs. Torch-free.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/config.h"

namespace mose::core {

using ConfigEntries = std::vector<std::pair<std::string, std::string>>;

// Every setting that determines a trial's results: data, model, training and
// evaluation. A study's trial identity (canonical JSON and hash) is built from these.
ConfigEntries config_entries(const RunConfig& config);

// Settings of how and where a run executes, which never change its results: device,
// logging and checkpoint cadence. Moving a study to a GPU or logging more often must
// not make its trials look new (and retrain them).
ConfigEntries execution_entries(const RunConfig& config);

// A hex digest of the settings that determine the trained weights (data, model,
// training: not eval settings, device, logging or checkpoint paths). Two runs with the
// same fingerprint train bit-identical models on CPU.
std::string training_fingerprint(const RunConfig& config);

// FNV-1a 64-bit over `text`, as 16 hex digits: stable across platforms and versions.
std::string stable_hash(const std::string& text);

}  // namespace mose::core
