// The deterministic train/val split of a text corpus.
//
// The text is cut into blocks of about `block_bytes`: a block ends at the
// first '\n' at or after block_bytes from its start (so no line is split), or
// at block_bytes (moved back to a UTF-8 character start) when no '\n' comes
// within another block_bytes. Block i goes to validation when
//   to_unit_interval(counter_hash(rng_stream::kValSplit, i)) < val_fraction,
// so validation text is spread over the whole corpus, not the alphabetical
// end of a dictionary, and a block keeps its assignment when the corpus grows
// or shrinks after it (a max_bytes prefix holds out the same blocks as the
// full corpus, up to its last, shortened block). If that rule leaves one side
// empty, the block with the smallest hash goes to validation (or the one with
// the largest hash to training), so both sides always have text.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace mose::core::data {

struct TextBlock {
  int64_t begin = 0;  // byte offsets into the text, [begin, end)
  int64_t end = 0;
  bool val = false;
};

// Whether block `index` is held out under the hash rule above (before the
// both-sides-non-empty fix-up).
bool is_val_block(int64_t index, double val_fraction);

// Blocks covering `text` in order. Throws DataError when the text forms fewer
// than 2 blocks (nothing to hold out), naming the sizes.
std::vector<TextBlock> split_into_blocks(std::string_view text, int64_t block_bytes, double val_fraction);

}  // namespace mose::core::data
