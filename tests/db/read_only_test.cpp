// Stores opened for reading (StorageOptions::read_only), as status, list, pareto and
// the GUI open them: a mose store reads as usual and refuses writes; anything else
// (an empty file, another program's database) is an error naming it and stays exactly
// as it was; a SQLite store whose folder cannot be written is still read.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/errors.h"
#include "db/storage.h"
#include "db_test_support.h"
#include "storage_backends.h"

using namespace mose::db;
using namespace mose::db::testing;

namespace {

const StorageOptions kReadOnly{.read_only = true};

std::string file_bytes(const std::filesystem::path& path) {
  std::stringstream text;
  text << std::ifstream(path, std::ios::binary).rdbuf();
  return text.str();
}

std::vector<std::string> folder_entries(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEMPLATE_TEST_CASE("a store opened read-only reads its studies and refuses every write", "[db][storage][read_only]",
                   SqliteBackend, PostgresBackend) {
  StoreFixture<TestType> f;
  const AddedTrial trial = f.storage->add_trial(f.study, train_trial(1));
  const auto reader = open_storage(f.backend.url("study"), kReadOnly);
  REQUIRE(reader->list_studies().size() == 1);
  CHECK(reader->get_trial(trial.id)->config_hash == "train-1");
  CHECK(reader->count_trials(f.study).pending == 1);
  CHECK_THROWS_AS(reader->create_or_get_study({"other", "", ""}), mose::DbError);
  CHECK_THROWS_AS(reader->claim_next(claim_as("reader")), mose::DbError);
  CHECK(f.storage->list_studies().size() == 1);
  CHECK(f.storage->count_trials(f.study).pending == 1);
}

TEST_CASE("an empty file opened read-only is not a study store, and stays empty", "[db][sqlite][read_only]") {
  TempDir dir;
  const std::string path = dir.file("empty.db");
  std::ofstream{path};
  CHECK_THROWS_MATCHES(open_storage(path, kReadOnly), mose::DbError,
                       MessageContains({path, "is not a mose study store", "holds no mose schema"}));
  CHECK(std::filesystem::file_size(path) == 0);
  CHECK(folder_entries(dir.path()) == std::vector<std::string>{"empty.db"});  // no -wal, no -shm
  CHECK_THROWS_MATCHES(open_storage(dir.file("missing.db"), kReadOnly), mose::DbError,
                       MessageContains({dir.file("missing.db"), "cannot open"}));
  CHECK_FALSE(std::filesystem::exists(dir.file("missing.db")));
}

TEST_CASE("another program's SQLite file opened read-only is refused and left unchanged", "[db][sqlite][read_only]") {
  TempDir dir;
  const std::string path = dir.file("other.db");
  {
    // A database of another program: one table of its own, no mose schema.
    std::unique_ptr<mose::db::sql::Session> other = sqlite::open_session(path, 1.0);
    other->run_script("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('not a study')");
  }
  const std::string before = file_bytes(path);
  CHECK_THROWS_MATCHES(open_storage(path, kReadOnly), mose::DbError, MessageContains({path, "not a mose study store"}));
  CHECK(file_bytes(path) == before);
}

TEST_CASE("a PostgreSQL database without a mose schema opened read-only is refused and left empty",
          "[db][postgres][read_only]") {
  PostgresBackend backend;
  const std::string url = backend.url("empty");
  CHECK_THROWS_MATCHES(open_storage(url, kReadOnly), mose::DbError, MessageContains({"not a mose study store"}));
  CHECK(backend.session("empty")->read_schema_version() == 0);  // no mose_schema table was created
}

TEST_CASE("a SQLite store in a folder that cannot be written is read without its -shm file",
          "[db][sqlite][read_only]") {
  TempDir dir;
  const std::filesystem::path folder = dir.path() / "study";
  std::filesystem::create_directories(folder);
  const std::string path = (folder / "study.db").string();
  {
    const auto writer = open_storage(path);
    const std::int64_t study = writer->create_or_get_study({"frozen", "", ""}).id;
    writer->add_trial(study, train_trial(1));
  }
  REQUIRE(folder_entries(folder) == std::vector<std::string>{"study.db"});  // the last close removed -wal and -shm
  const ImmutableFolder frozen(folder);
  if (!frozen.applied()) {
    WARN(MOSE_TEST_SKIP_MARKER << ": chattr +i is not available here (needs root on ext4 or similar)");
    return;
  }
  CHECK_THROWS_AS(open_storage(path), mose::DbError);  // a writer needs the folder
  const auto reader = open_storage(path, kReadOnly);
  REQUIRE(reader->list_studies().size() == 1);
  CHECK(reader->list_studies()[0].name == "frozen");
  CHECK(reader->list_trials({}).size() == 1);
  CHECK(folder_entries(folder) == std::vector<std::string>{"study.db"});
}

TEST_CASE(
    "a SQLite store with unmerged -wal transactions in a folder that cannot be written is refused rather than read as "
    "an older state",
    "[db][sqlite][read_only]") {
  TempDir dir;
  const std::filesystem::path folder = dir.path() / "copy";
  std::filesystem::create_directories(folder);
  const std::string original = (dir.path() / "study.db").string();
  {
    // A copy of a study taken while it ran: study.db and its -wal, not the -shm. The
    // -wal holds the trial; the database file alone has none.
    const auto writer = open_storage(original);
    const std::int64_t study = writer->create_or_get_study({"copied", "", ""}).id;
    writer->add_trial(study, train_trial(1));
    REQUIRE(std::filesystem::file_size(original + "-wal") > 0);
    std::filesystem::copy_file(original, folder / "study.db");
    std::filesystem::copy_file(original + "-wal", folder / "study.db-wal");
  }
  const std::string path = (folder / "study.db").string();
  const ImmutableFolder frozen(folder);
  if (!frozen.applied()) {
    WARN(MOSE_TEST_SKIP_MARKER << ": chattr +i is not available here (needs root on ext4 or similar)");
    return;
  }
  // Read without its -wal, the copy would show no trial at all.
  CHECK_THROWS_WITH(open_storage(path, kReadOnly)->list_trials({}),
                    Catch::Matchers::Contains(path + "-wal holds ") &&
                        Catch::Matchers::Contains("bytes of transactions not yet in the database file"));
  CHECK(folder_entries(folder) == std::vector<std::string>{"study.db", "study.db-wal"});
}
