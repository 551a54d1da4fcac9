// Dataset::open for both formats.
#include "core/data/dataset.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "core/data/corpus_prep.h"

namespace mose::core::data {
namespace fs = std::filesystem;

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
    throw DataError(fmt::format("{}: vocab_size = {} but the {} tokenizer there has {}; delete the folder to "
                                "re-prepare",
                                (corpus.dir / kMetaFile).string(), meta.vocab_size, tokenizer->name(),
                                tokenizer->vocab_size()));
  }
  auto train = TokenFile::open(corpus.dir / kTrainFile, meta.dtype, meta.vocab_size);
  auto val = TokenFile::open(corpus.dir / kValFile, meta.dtype, meta.vocab_size);
  return Dataset(std::move(train), std::move(val), std::move(tokenizer), std::move(corpus.meta));
}

}  // namespace mose::core::data
