// Block cutting and the hash rule of the train/val split (see corpus_split.h).
#include "core/data/corpus_split.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/errors.h"
#include "core/data/counter_rng.h"

namespace mose::core::data {
namespace {

double block_hash(int64_t index) { return to_unit_interval(counter_hash(rng_stream::kValSplit, index)); }

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// End of the block starting at `begin` (see the header for the rule).
size_t block_end(std::string_view text, size_t begin, size_t block_bytes) {
  const size_t target = begin + block_bytes;
  if (target >= text.size()) return text.size();
  const size_t newline = text.find('\n', target);
  if (newline != std::string_view::npos && newline - target < block_bytes) return newline + 1;
  size_t cut = target;
  while (cut > begin + 1 && is_utf8_continuation(text[cut])) --cut;
  return cut;
}

// Guarantees at least one block on each side (the header says which moves).
void ensure_both_sides(std::vector<TextBlock>& blocks) {
  const auto val_count = std::count_if(blocks.begin(), blocks.end(), [](const TextBlock& b) { return b.val; });
  if (val_count > 0 && val_count < static_cast<std::ptrdiff_t>(blocks.size())) return;
  const bool want_val = val_count == 0;
  size_t chosen = 0;
  for (size_t i = 1; i < blocks.size(); ++i) {
    const double h = block_hash(static_cast<int64_t>(i)), best = block_hash(static_cast<int64_t>(chosen));
    if (want_val ? h < best : h > best) chosen = i;
  }
  blocks[chosen].val = want_val;
}

}  // namespace

bool is_val_block(int64_t index, double val_fraction) { return block_hash(index) < val_fraction; }

std::vector<TextBlock> split_into_blocks(std::string_view text, int64_t block_bytes, double val_fraction) {
  std::vector<TextBlock> blocks;
  size_t begin = 0;
  while (begin < text.size()) {
    const size_t end = block_end(text, begin, static_cast<size_t>(block_bytes));
    const auto index = static_cast<int64_t>(blocks.size());
    blocks.push_back({static_cast<int64_t>(begin), static_cast<int64_t>(end), is_val_block(index, val_fraction)});
    begin = end;
  }
  if (blocks.size() < 2) {
    throw DataError(fmt::format("a corpus of {} bytes forms {} block(s) of data.split_block_bytes = {}; the "
                                "train/val split needs at least 2 (add text or lower split_block_bytes)",
                                text.size(), blocks.size(), block_bytes));
  }
  ensure_both_sides(blocks);
  return blocks;
}

}  // namespace mose::core::data
