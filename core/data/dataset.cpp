// Dataset::open for both formats.
#include "core/data/dataset.h"

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "base/errors.h"
#include "base/file_checksum.h"
#include "core/data/corpus_prep.h"

namespace mose::core::data {
namespace fs = std::filesystem;

namespace {

// A prepared token file, checked against the CRC-32 and size meta.txt recorded when it
// was written: the scan that checks the ids reads every byte anyway, so the checksum
// costs no extra read. A nanogpt folder has no such record, so its files are checked for
// ids only.
TokenFile open_verified(const fs::path& dir, std::string_view name, const PreparedMeta& meta,
                        const std::string& checksum, int64_t tokens) {
  TokenFile file = TokenFile::open(dir / name, meta.dtype, meta.vocab_size, /*checksum=*/true);
  const FileDigest recorded{checksum, tokens * dtype_bytes(meta.dtype)};
  if (file.digest() != recorded) {
    throw DataError(
        fmt::format("token file {}: checksum {} does not match {} recorded in {} when it was prepared: "
                    "the file is damaged; delete {} to prepare it again",
                    file.path().string(), to_string(*file.digest()), to_string(recorded), (dir / kMetaFile).string(),
                    dir.string()));
  }
  return file;
}

}  // namespace

Dataset::Dataset(TokenFile train, TokenFile val, std::unique_ptr<Tokenizer> tokenizer,
                 std::optional<PreparedMeta> prepared)
    : train_(std::move(train)),
      val_(std::move(val)),
      tokenizer_(std::move(tokenizer)),
      prepared_(std::move(prepared)) {}

Dataset Dataset::open(const DataConfig& config) {
  config.validate();
  return config.format == "nanogpt" ? open_nanogpt(config) : open_text(config);
}

Dataset Dataset::open_nanogpt(const DataConfig& config) {
  const auto dtype = parse_dtype(config.token_dtype);
  for (const auto name : {kTrainFile, kValFile}) {
    if (!fs::exists(config.nanogpt_dir / name)) {
      throw DataError(fmt::format("data.nanogpt_dir {} has no {}; expected headerless little-endian {} token ids",
                                  config.nanogpt_dir.string(), name, config.token_dtype));
    }
  }
  auto train = TokenFile::open(config.nanogpt_dir / kTrainFile, dtype, config.vocab_size);
  auto val = TokenFile::open(config.nanogpt_dir / kValFile, dtype, config.vocab_size);
  return Dataset(std::move(train), std::move(val), nullptr, std::nullopt);
}

Dataset Dataset::open_text(const DataConfig& config) {
  PreparedCorpus corpus = prepare_text_corpus(config);
  const PreparedMeta& meta = corpus.meta;
  auto tokenizer = find_tokenizer(meta.tokenizer).load(corpus.dir);
  if (tokenizer->vocab_size() != meta.vocab_size) {
    throw DataError(
        fmt::format("{}: vocab_size = {} but the {} tokenizer there has {}; delete the folder to "
                    "re-prepare",
                    (corpus.dir / kMetaFile).string(), meta.vocab_size, tokenizer->name(), tokenizer->vocab_size()));
  }
  auto train = open_verified(corpus.dir, kTrainFile, meta, meta.train_checksum, meta.train_tokens);
  auto val = open_verified(corpus.dir, kValFile, meta, meta.val_checksum, meta.val_tokens);
  return Dataset(std::move(train), std::move(val), std::move(tokenizer), std::move(corpus.meta));
}

}  // namespace mose::core::data
