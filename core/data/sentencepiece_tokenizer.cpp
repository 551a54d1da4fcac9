// SentencePiece BPE: training through the library's trainer API with the
// corpus fed from memory, loading, and the "sentencepiece" registry entry.
#include "core/data/sentencepiece_tokenizer.h"

#include <fmt/format.h>
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "base/log.h"

namespace mose::core::data {
namespace fs = std::filesystem;
namespace {

static_assert(sizeof(int) == sizeof(int32_t), "SentencePiece ids are int; mose ids are int32");

// Byte fallback adds 256 byte pieces beside <unk>, <s> and </s>; a
// vocabulary must exceed them to hold a single merged piece.
constexpr int64_t kMinTrainedVocab = 256 + 3 + 1;

// BPE with shuffling off draws no random numbers today; the seed is fixed so
// a library version that does still trains the same model twice.
constexpr unsigned kTrainerSeed = 20240521;

class SentencePieceTokenizer final : public Tokenizer {
 public:
  explicit SentencePieceTokenizer(const fs::path& model_path) {
    const auto status = processor_.Load(model_path.string());
    if (!status.ok()) {
      throw DataError(fmt::format("cannot load SentencePiece model {}: {}", model_path.string(), status.ToString()));
    }
  }

  std::vector<int32_t> encode(std::string_view text) const override {
    std::vector<int> ids;
    const auto status = processor_.Encode(text, &ids);
    if (!status.ok()) throw DataError(fmt::format("SentencePiece cannot encode text: {}", status.ToString()));
    return {ids.begin(), ids.end()};
  }

  std::string decode(std::span<const int32_t> ids) const override {
    const int64_t vocab = vocab_size();
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] < 0 || ids[i] >= vocab) {
        throw DataError(fmt::format("SentencePiece: id {} at position {} is outside [0, {})", ids[i], i, vocab));
      }
    }
    std::string text;
    const auto status = processor_.Decode(std::vector<int>(ids.begin(), ids.end()), &text);
    if (!status.ok()) throw DataError(fmt::format("SentencePiece cannot decode ids: {}", status.ToString()));
    return text;
  }

  int64_t vocab_size() const override { return processor_.GetPieceSize(); }
  std::string_view name() const override { return "sentencepiece"; }

 private:
  sentencepiece::SentencePieceProcessor processor_;
};

// Feeds the selected lines to the trainer without writing a temporary file.
class LineIterator final : public sentencepiece::SentenceIterator {
 public:
  explicit LineIterator(std::vector<std::string_view> lines) : lines_(std::move(lines)) { load(); }
  bool done() const override { return index_ >= lines_.size(); }
  void Next() override {
    ++index_;
    load();
  }
  const std::string& value() const override { return current_; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  void load() {
    if (!done()) current_.assign(lines_[index_]);
  }
  std::vector<std::string_view> lines_;
  size_t index_ = 0;
  std::string current_;
};

std::vector<std::string_view> non_empty_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    if (end > begin) lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

std::vector<std::string_view> evenly_spaced(std::vector<std::string_view> lines, int64_t max_count) {
  const auto total = static_cast<int64_t>(lines.size());
  if (total <= max_count) return lines;
  std::vector<std::string_view> picked;
  picked.reserve(static_cast<size_t>(max_count));
  for (int64_t k = 0; k < max_count; ++k) picked.push_back(lines[static_cast<size_t>(k * total / max_count)]);
  return picked;
}

std::unordered_map<std::string, std::string> trainer_arguments(int64_t vocab_size) {
  return {
      {"model_type", "bpe"},
      {"vocab_size", std::to_string(vocab_size)},
      {"byte_fallback", "true"},
      {"normalization_rule_name", "identity"},
      {"remove_extra_whitespaces", "false"},
      {"add_dummy_prefix", "false"},
      {"input_sentence_size", "0"},  // we already sampled
      {"shuffle_input_sentence", "false"},
      {"num_threads", "1"},
      {"hard_vocab_limit", "false"},  // a small corpus may not support the requested size
      {"minloglevel", "1"},           // the trainer's INFO lines would flood mose's log
  };
}

}  // namespace

void train_sentencepiece(std::string_view text, int64_t vocab_size, int64_t max_sentences,
                         const fs::path& model_path) {
  auto lines = evenly_spaced(non_empty_lines(text), max_sentences);
  if (lines.empty()) {
    throw DataError(fmt::format("cannot train SentencePiece model {}: the training text has no non-empty line",
                                model_path.string()));
  }
  log::info("training SentencePiece BPE (vocab {}) on {} lines -> {}", vocab_size, lines.size(),
            model_path.string());
  LineIterator iterator(std::move(lines));
  std::string model;
  sentencepiece::SetRandomGeneratorSeed(kTrainerSeed);
  const auto status = sentencepiece::SentencePieceTrainer::Train(trainer_arguments(vocab_size), &iterator, &model);
  if (!status.ok()) {
    throw DataError(fmt::format("cannot train SentencePiece model {} (vocab {}): {}", model_path.string(),
                                vocab_size, status.ToString()));
  }
  write_file_atomically(model_path, model);
}

std::unique_ptr<Tokenizer> load_sentencepiece(const fs::path& model_path) {
  if (!fs::is_regular_file(model_path)) {
    throw DataError(fmt::format("SentencePiece model {} does not exist", model_path.string()));
  }
  return std::make_unique<SentencePieceTokenizer>(model_path);
}

namespace {

void validate_sentencepiece(const TokenizerSettings& settings) {
  if (!settings.model.empty()) {
    if (!fs::is_regular_file(settings.model)) {
      throw ConfigError(fmt::format("data.tokenizer_model = '{}' is not a file; expected a SentencePiece .model",
                                    settings.model.string()));
    }
    return;
  }
  if (settings.vocab_size < kMinTrainedVocab || settings.vocab_size > std::numeric_limits<int32_t>::max()) {
    throw ConfigError(fmt::format("data.vocab_size = {}; training a SentencePiece model needs a size from {} "
                                  "(256 byte pieces + 3 specials + 1) to {}, or data.tokenizer_model",
                                  settings.vocab_size, kMinTrainedVocab, std::numeric_limits<int32_t>::max()));
  }
}

std::unique_ptr<Tokenizer> build_sentencepiece(const TokenizerSettings& settings, std::string_view training_text,
                                               const fs::path& dir) {
  const fs::path model_path = dir / kSentencePieceModelFile;
  if (settings.model.empty()) {
    train_sentencepiece(training_text, settings.vocab_size, settings.max_training_sentences, model_path);
  } else {
    // A private copy keeps the prepared folder usable if the original moves.
    write_file_atomically(model_path, read_file(settings.model));
  }
  auto tokenizer = load_sentencepiece(model_path);
  if (settings.model.empty() && tokenizer->vocab_size() < settings.vocab_size) {
    log::warn("SentencePiece stopped at {} pieces of the {} requested (data.vocab_size): the training text is "
              "too small for more merges",
              tokenizer->vocab_size(), settings.vocab_size);
  }
  if (!settings.model.empty() && settings.vocab_size != 0 && settings.vocab_size != tokenizer->vocab_size()) {
    throw ConfigError(fmt::format("data.vocab_size = {} but SentencePiece model {} has {} pieces; use 0 or {}",
                                  settings.vocab_size, settings.model.string(), tokenizer->vocab_size(),
                                  tokenizer->vocab_size()));
  }
  return tokenizer;
}

std::unique_ptr<Tokenizer> load_from_dir(const fs::path& dir) {
  return load_sentencepiece(dir / kSentencePieceModelFile);
}

}  // namespace

const TokenizerKind& sentencepiece_tokenizer_kind() {
  static constexpr TokenizerKind kind{"sentencepiece", validate_sentencepiece, build_sentencepiece, load_from_dir};
  return kind;
}

}  // namespace mose::core::data
