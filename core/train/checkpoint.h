// Training checkpoints: model parameters and buffers, AdamW state, and the training
// position (next step). All randomness in training is a pure function of (seed, step,
// micro-batch, pass), so (seed, step) is the whole RNG and data-position state: resuming
// replays exactly the batches and width draws an uninterrupted run would have seen.
// Writes are atomic (temp file + rename), and a failed write (a full disk) is an IoError
// that leaves the previous checkpoint in place (archive_file.h).
//
// Every save writes "<path>.crc32" (base/file_checksum.h) listing the CRC-32 and size
// of the new file and of the one it replaces before the rename, and the new one alone
// after it; every load checks the file against it. A damaged checkpoint (torch would
// load flipped tensor bytes without noticing) is refused, while a crash between the
// renames leaves a file that still matches. A damaged checkpoint fails the run rather than being discarded
// for a fresh start: damage means the disk or a copy went wrong, which a person should
// see, and silently retraining could repeat on every attempt. The run's config fingerprint is stored and
// checked on load, so a checkpoint never silently resumes a different experiment.
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace mose::core::train {

struct CheckpointState {
  int64_t next_step = 0;
  int64_t tokens_seen = 0;
  uint64_t seed = 0;
  std::string fingerprint;  // of the model + training config that produced it
  // Seconds of training that produced these next_step steps, summed over every attempt
  // that trained some of them (time an attempt spent past its last checkpoint is lost
  // with it). 0 in a checkpoint from before it was recorded.
  double train_seconds = 0;
};

// Throws IoError naming `path` and the reason when the file cannot be written; the
// temporary file is removed and a checkpoint already at `path` is kept.
void save_checkpoint(const std::filesystem::path& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     const CheckpointState& state);

// Loads into `model` (and `optimizer` when given). Throws CheckpointError naming the
// path when the file is missing, unreadable, does not match its checksum file (the
// message gives both checksums), or was written for another fingerprint. A checkpoint
// without a checksum file (written before they existed) loads with a warning.
CheckpointState load_checkpoint(const std::filesystem::path& path, torch::nn::Module& model,
                                torch::optim::Optimizer* optimizer, const std::string& expected_fingerprint);

}  // namespace mose::core::train
