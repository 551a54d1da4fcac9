// Corpus preparation and reuse (see corpus_prep.h for the steps).
#include "core/data/corpus_prep.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "base/log.h"
#include "core/data/corpus_split.h"
#include "core/data/text_source.h"
#include "core/data/token_file.h"

namespace mose::core::data {
namespace fs = std::filesystem;
namespace {

constexpr unsigned kMaxEncodeThreads = 8;

// An exclusive flock held for the lifetime of the object.
class CacheLock {
 public:
  explicit CacheLock(const fs::path& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0) throw IoError(fmt::format("cannot open lock file {}: {}", path.string(), std::strerror(errno)));
    if (::flock(fd_, LOCK_EX) != 0) {
      const int error = errno;
      ::close(fd_);
      throw IoError(fmt::format("cannot lock {}: {}", path.string(), std::strerror(error)));
    }
  }
  ~CacheLock() { ::close(fd_); }  // closing releases the lock
  CacheLock(const CacheLock&) = delete;
  CacheLock& operator=(const CacheLock&) = delete;

 private:
  int fd_;
};

// A source inside the cache folder would read the token files back as text.
void reject_sources_in_cache(const std::vector<fs::path>& files, const fs::path& cache_dir) {
  const fs::path cache = fs::absolute(cache_dir).lexically_normal();
  for (const auto& file : files) {
    const fs::path source = fs::absolute(file).lexically_normal();
    if (std::mismatch(cache.begin(), cache.end(), source.begin(), source.end()).first == cache.end()) {
      throw ConfigError(
          fmt::format("data.sources includes {}, which is inside data.cache_dir {}", source.string(), cache.string()));
    }
  }
}

// The reusable meta in `dir`, if it matches `fingerprint` and the token files are whole.
std::optional<PreparedMeta> reusable_meta(const fs::path& dir, const std::string& fingerprint) {
  std::optional<PreparedMeta> meta;
  try {
    meta = read_meta(dir / kMetaFile);
  } catch (const DataError& error) {
    log::warn("re-preparing {}: {}", dir.string(), error.what());
    return std::nullopt;
  }
  if (!meta || meta->fingerprint != fingerprint) return std::nullopt;
  if (meta->train_checksum.empty() || meta->val_checksum.empty()) {
    log::info("re-preparing {}: its {} records no checksums of the token files to verify them by", dir.string(),
              kMetaFile);
    return std::nullopt;
  }
  const auto has_tokens = [&](std::string_view name, int64_t tokens) {
    std::error_code error;
    const auto bytes = fs::file_size(dir / name, error);
    return !error && static_cast<int64_t>(bytes) == tokens * dtype_bytes(meta->dtype);
  };
  if (!has_tokens(kTrainFile, meta->train_tokens) || !has_tokens(kValFile, meta->val_tokens)) return std::nullopt;
  return meta;
}

std::string training_text(std::string_view text, const std::vector<TextBlock>& blocks) {
  std::string joined;
  for (const auto& block : blocks) {
    if (block.val) continue;
    joined.append(text.substr(static_cast<size_t>(block.begin), static_cast<size_t>(block.end - block.begin)));
  }
  return joined;
}

// Encodes each block on a small worker pool; results stay in block order, so
// the output does not depend on the number of threads.
std::vector<std::vector<int32_t>> encode_blocks(const Tokenizer& tokenizer, std::string_view text,
                                                const std::vector<TextBlock>& blocks) {
  std::vector<std::vector<int32_t>> encoded(blocks.size());
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto work = [&] {
    for (size_t i = next++; i < blocks.size(); i = next++) {
      try {
        const auto& block = blocks[i];
        encoded[i] = tokenizer.encode(
            text.substr(static_cast<size_t>(block.begin), static_cast<size_t>(block.end - block.begin)));
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = blocks.size();
      }
    }
  };
  const unsigned threads = std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, kMaxEncodeThreads);
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < std::min<size_t>(threads, blocks.size()); ++t) pool.emplace_back(work);
  work();
  pool.clear();  // joins
  if (failure) std::rethrow_exception(failure);
  return encoded;
}

PreparedMeta prepare(const DataConfig& config, const std::vector<fs::path>& files, std::vector<std::string> inputs,
                     std::string fingerprint) {
  const fs::path& dir = config.cache_dir;
  fs::remove(dir / kMetaFile);
  const std::string text = read_text_files(files, config.max_bytes);
  const auto blocks = split_into_blocks(text, config.split_block_bytes, config.val_fraction);
  log::info("preparing corpus in {}: {} bytes from {} file(s), {} blocks, tokenizer {}", dir.string(), text.size(),
            files.size(), blocks.size(), config.tokenizer);
  const auto tokenizer =
      find_tokenizer(config.tokenizer).build(tokenizer_settings(config), training_text(text, blocks), dir);
  auto encoded = encode_blocks(*tokenizer, text, blocks);

  std::vector<int32_t> train, val;
  PreparedMeta meta{.fingerprint = std::move(fingerprint),
                    .tokenizer = config.tokenizer,
                    .vocab_size = tokenizer->vocab_size(),
                    .dtype = dtype_for_vocab(tokenizer->vocab_size()),
                    .text_bytes = static_cast<int64_t>(text.size()),
                    .blocks = static_cast<int64_t>(blocks.size()),
                    .inputs = std::move(inputs)};
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto& side = blocks[i].val ? val : train;
    side.insert(side.end(), encoded[i].begin(), encoded[i].end());
    std::vector<int32_t>().swap(encoded[i]);  // keep peak memory near one copy of the tokens
    meta.val_blocks += blocks[i].val ? 1 : 0;
  }
  meta.train_tokens = static_cast<int64_t>(train.size());
  meta.val_tokens = static_cast<int64_t>(val.size());
  meta.train_checksum = write_token_file(dir / kTrainFile, train, meta.dtype).checksum;
  meta.val_checksum = write_token_file(dir / kValFile, val, meta.dtype).checksum;
  write_file_atomically(dir / kMetaFile, format_meta(meta));
  log::info("prepared {}: {} train + {} val tokens ({}, vocab {})", dir.string(), meta.train_tokens, meta.val_tokens,
            dtype_name(meta.dtype), meta.vocab_size);
  return meta;
}

}  // namespace

PreparedCorpus prepare_text_corpus(const DataConfig& config) {
  config.validate();
  if (config.format != "text") {
    throw ConfigError(fmt::format("data.format = '{}'; only 'text' sources are prepared", config.format));
  }
  const auto files = list_text_files(config.sources);
  reject_sources_in_cache(files, config.cache_dir);
  auto inputs = fingerprint_inputs(config, files);
  auto fingerprint = fingerprint_of(inputs);

  fs::create_directories(config.cache_dir);
  const CacheLock lock(config.cache_dir / ".lock");
  if (auto meta = reusable_meta(config.cache_dir, fingerprint)) {
    log::info("reusing prepared corpus {} (fingerprint {})", config.cache_dir.string(), fingerprint);
    return {config.cache_dir, std::move(*meta), true};
  }
  return {config.cache_dir, prepare(config, files, std::move(inputs), std::move(fingerprint)), false};
}

}  // namespace mose::core::data
