#include "core/train/checkpoint.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/serialize/archive.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "base/file_checksum.h"
#include "base/log.h"
#include "core/train/archive_file.h"

namespace mose::core::train {
namespace {

constexpr int64_t kCheckpointFormat = 1;

std::vector<std::pair<std::string, std::vector<int64_t>>> shapes_of(torch::nn::Module& model) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  for (const auto& p : model.named_parameters()) shapes.emplace_back(p.key(), p.value().sizes().vec());
  for (const auto& b : model.named_buffers()) shapes.emplace_back(b.key(), b.value().sizes().vec());
  return shapes;
}

// torch::nn::Module::load replaces tensors whatever their shape, so a checkpoint of
// another architecture would load "successfully": compare every tensor's shape.
void check_same_shapes(const std::filesystem::path& path,
                       const std::vector<std::pair<std::string, std::vector<int64_t>>>& expected,
                       torch::nn::Module& model) {
  const auto loaded = shapes_of(model);
  for (size_t i = 0; i < expected.size() && i < loaded.size(); ++i) {
    if (expected[i] != loaded[i]) {
      throw CheckpointError(fmt::format("{}: tensor '{}' is [{}] in the checkpoint but [{}] in this model",
                                        path.string(), expected[i].first, fmt::join(loaded[i].second, ", "),
                                        fmt::join(expected[i].second, ", ")));
    }
  }
}

// The digest of the checkpoint now at `path`, which the next save replaces. A checksum
// file listing one digest was written after the last save's rename, so it is that
// file's; two digests mean a save was interrupted between its renames and either may be
// on disk, and no checksum file means a checkpoint from before they existed: read those.
std::optional<FileDigest> current_digest(const std::filesystem::path& path) {
  const std::optional<std::vector<FileDigest>> listed = read_checksum_file(path);
  if (listed && listed->size() == 1) return listed->front();
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::nullopt;
  return file_crc32(path);
}

// Throws CheckpointError unless the file matches a digest its checksum file lists. A
// checkpoint without one (written before checkpoints had one) loads unverified.
void verify_checksum(const std::filesystem::path& path) {
  std::optional<std::vector<FileDigest>> listed;
  try {
    listed = read_checksum_file(path);
  } catch (const IoError& e) {
    throw CheckpointError(fmt::format("{}: its checksum file is unreadable: {}", path.string(), e.what()));
  }
  if (!listed) {
    log::warn("{}: no checksum file {}; loading it unverified", path.string(), checksum_file_for(path).string());
    return;
  }
  const FileDigest actual = file_crc32(path);
  if (std::find(listed->begin(), listed->end(), actual) != listed->end()) return;
  std::vector<std::string> expected;
  for (const FileDigest& digest : *listed) expected.push_back(to_string(digest));
  throw CheckpointError(fmt::format(
      "{}: checksum {} matches none recorded when it was saved ({}: {}): the file is damaged and is not used; delete "
      "it and its checksum file to train from scratch",
      path.string(), to_string(actual), checksum_file_for(path).string(), fmt::join(expected, " or ")));
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     const CheckpointState& state) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model_archive;
  model.save(model_archive);
  archive.write("model", model_archive);
  if (optimizer != nullptr) {
    torch::serialize::OutputArchive optimizer_archive;
    optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
  }
  archive.write("format", c10::IValue(kCheckpointFormat));
  archive.write("next_step", c10::IValue(state.next_step));
  archive.write("tokens_seen", c10::IValue(state.tokens_seen));
  archive.write("seed", c10::IValue(static_cast<int64_t>(state.seed)));
  archive.write("fingerprint", c10::IValue(state.fingerprint));
  archive.write("train_seconds", c10::IValue(state.train_seconds));
  try {
    const std::optional<FileDigest> previous = current_digest(path);
    FileDigest written;
    replace_file_atomically(path, [&](const std::filesystem::path& temp) {
      written = write_archive(archive, temp);
      std::vector<FileDigest> digests{written};
      if (previous) digests.push_back(*previous);
      write_checksum_file(path, digests);  // before the rename: see base/file_checksum.h
    });
    write_checksum_file(path, {written});  // the rename happened: only the new file can be there
  } catch (const IoError& e) {
    throw IoError(fmt::format("cannot save checkpoint {}: {}", path.string(), e.what()));
  }
}

CheckpointState load_checkpoint(const std::filesystem::path& path, torch::nn::Module& model,
                                torch::optim::Optimizer* optimizer, const std::string& expected_fingerprint) {
  if (!std::filesystem::exists(path)) throw CheckpointError(path.string() + ": no such checkpoint");
  verify_checksum(path);
  CheckpointState state;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    c10::IValue value;
    archive.read("format", value);
    if (value.toInt() != kCheckpointFormat) {
      throw CheckpointError(path.string() + ": checkpoint format " + std::to_string(value.toInt()) + ", expected " +
                            std::to_string(kCheckpointFormat));
    }
    archive.read("fingerprint", value);
    state.fingerprint = value.toStringRef();
    if (!expected_fingerprint.empty() && state.fingerprint != expected_fingerprint) {
      throw CheckpointError(path.string() + ": written for config " + state.fingerprint + ", not this run's " +
                            expected_fingerprint);
    }
    archive.read("next_step", value);
    state.next_step = value.toInt();
    archive.read("tokens_seen", value);
    state.tokens_seen = value.toInt();
    archive.read("seed", value);
    state.seed = static_cast<uint64_t>(value.toInt());
    if (archive.try_read("train_seconds", value)) state.train_seconds = value.toDouble();
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    const auto expected_shapes = shapes_of(model);
    model.load(model_archive);
    check_same_shapes(path, expected_shapes, model);
    if (optimizer != nullptr) {
      torch::serialize::InputArchive optimizer_archive;
      archive.read("optimizer", optimizer_archive);
      optimizer->load(optimizer_archive);
    }
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& e) {
    throw CheckpointError(path.string() + ": cannot read checkpoint: " + std::string(e.what()).substr(0, 300));
  }
  return state;
}

}  // namespace mose::core::train
