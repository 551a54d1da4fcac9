// Corpus preparation: text sources -> tokens -> train.bin / val.bin (nanoGPT
// layout) + meta.txt in the cache folder, done once and reused while the
// fingerprint of sources and settings matches (see prepared_meta.h).
//
// Steps: list and read the sources (text_source.h), cut into blocks and split
// train/val by a hash of the block index (corpus_split.h), build the
// tokenizer on the training blocks only (so validation text never shapes the
// vocabulary), encode every block, concatenate the blocks of each side in
// corpus order, and write uint16 ids when the vocabulary has at most 65536
// entries, else uint32. Every file is written atomically and meta.txt last
// (and removed first when re-preparing), so an interrupted preparation is
// never mistaken for a finished one. Processes sharing a cache folder
// serialize on <cache>/.lock; the same inputs always give byte-identical files.
// meta.txt records the CRC-32 of each token file (Dataset checks them on every
// open); a cache whose meta.txt predates them is prepared again.
#pragma once

#include <filesystem>

#include "core/data/data_config.h"
#include "core/data/prepared_meta.h"

namespace mose::core::data {

struct PreparedCorpus {
  std::filesystem::path dir;  // the cache folder, holding kTrainFile, kValFile, kMetaFile
  PreparedMeta meta;
  bool reused = false;  // an up-to-date preparation was found
};

// Requires config.format == "text"; validates the config first. Throws
// ConfigError, DataError or IoError naming the setting or file at fault.
PreparedCorpus prepare_text_corpus(const DataConfig& config);

}  // namespace mose::core::data
