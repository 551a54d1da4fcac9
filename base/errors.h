// The error hierarchy. Every message names the file, key, line or value at fault
// and what was expected; errors are caught once at the program's edge.
// Throw only when an operation must abort; expected outcomes are return values.
#pragma once

#include <stdexcept>
#include <string>

namespace mose {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  // A short category word for the message printed at the edge ("recipe", "data", ...).
  virtual const char* category() const noexcept { return "error"; }
};

#define MOSE_DEFINE_ERROR(Name, word)                                   \
  class Name : public Error {                                           \
   public:                                                              \
    using Error::Error;                                                 \
    const char* category() const noexcept override { return word; }    \
  };

MOSE_DEFINE_ERROR(ConfigError, "config")          // an engine setting out of range or inconsistent
MOSE_DEFINE_ERROR(RecipeError, "recipe")          // a study recipe (TOML) that cannot be used
MOSE_DEFINE_ERROR(DataError, "data")              // a corpus, token file or task file that cannot be used
MOSE_DEFINE_ERROR(CheckpointError, "checkpoint")  // a checkpoint that is missing, corrupt or mismatched
MOSE_DEFINE_ERROR(DbError, "database")            // storage failures (SQLite, PostgreSQL)
MOSE_DEFINE_ERROR(IoError, "io")                  // files that cannot be read or written
MOSE_DEFINE_ERROR(CudaError, "cuda")              // CUDA runtime or launch failures
MOSE_DEFINE_ERROR(UsageError, "usage")            // command-line misuse

#undef MOSE_DEFINE_ERROR

// Formats "category: message" for the one place an error is printed.
std::string describe(const std::exception& error);

}  // namespace mose
