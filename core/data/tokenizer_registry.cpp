// The tokenizer registry: a fixed table of the implementations mose ships.
// Adding a tokenizer = one file with its TokenizerKind plus one line here.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>

#include "base/errors.h"
#include "core/data/byte_tokenizer.h"
#include "core/data/sentencepiece_tokenizer.h"
#include "core/data/tokenizer.h"

namespace mose::core::data {
namespace {

std::array<const TokenizerKind*, 2> kinds() { return {&byte_tokenizer_kind(), &sentencepiece_tokenizer_kind()}; }

}  // namespace

const TokenizerKind& find_tokenizer(std::string_view name) {
  for (const TokenizerKind* kind : kinds()) {
    if (kind->name == name) return *kind;
  }
  throw ConfigError(fmt::format("data.tokenizer = '{}' is not a known tokenizer; known: {}", name,
                                fmt::join(tokenizer_names(), ", ")));
}

std::vector<std::string_view> tokenizer_names() {
  std::vector<std::string_view> names;
  for (const TokenizerKind* kind : kinds()) names.push_back(kind->name);
  return names;
}

}  // namespace mose::core::data
