// The error hierarchy (base/errors.h): every category is a mose::Error and a
// std::runtime_error carrying its message, and describe() prints "<category> error: <message>"
// once at the program's edge.
#include "base/errors.h"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

namespace {

// Throws E(message) and catches it as the bases a caller would use.
template <typename E>
void check_category(const std::string& word) {
  INFO(word);
  const std::string message = "x.toml:3: key 'steps' must be positive, got -1";
  try {
    throw E(message);
  } catch (const mose::Error& e) {
    CHECK(std::string(e.what()) == message);
    CHECK(std::string(e.category()) == word);
    CHECK(mose::describe(e) == word + " error: " + message);
  }
  CHECK_THROWS_AS(throw E(message), std::runtime_error);
}

}  // namespace

TEST_CASE("each error category is a mose::Error with its own word", "[base][errors]") {
  check_category<mose::ConfigError>("config");
  check_category<mose::RecipeError>("recipe");
  check_category<mose::DataError>("data");
  check_category<mose::CheckpointError>("checkpoint");
  check_category<mose::DbError>("database");
  check_category<mose::IoError>("io");
  check_category<mose::CudaError>("cuda");
  check_category<mose::UsageError>("usage");
}

TEST_CASE("describe prints a plain mose::Error and foreign exceptions as 'error: <message>'", "[base][errors]") {
  CHECK(mose::describe(mose::Error("plot script failed")) == "error: plot script failed");
  CHECK(mose::describe(std::runtime_error("disk full")) == "error: disk full");
  CHECK(mose::describe(std::out_of_range("index 7")) == "error: index 7");
}

TEST_CASE("a caller can tell the categories apart", "[base][errors]") {
  CHECK_THROWS_AS(throw mose::IoError("cannot open a"), mose::IoError);
  try {
    throw mose::DataError("bad token file");
  } catch (const mose::IoError&) {
    FAIL("a DataError caught as an IoError");
  } catch (const mose::DataError& e) {
    CHECK(std::string(e.what()) == "bad token file");
  }
}
