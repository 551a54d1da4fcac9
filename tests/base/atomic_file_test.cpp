// Atomic file writes (base/atomic_file.h): the target is replaced whole or not at all, no
// temporary file outlives a write, and every failure is an IoError naming the path.
#include "base/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/errors.h"

namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("mose-base-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Matches an exception whose message contains `part` (Catch2 v2's string matchers do not
// apply to exceptions).
class MessageContains : public Catch::MatcherBase<std::exception> {
 public:
  explicit MessageContains(std::string part) : part_(std::move(part)) {}
  bool match(const std::exception& error) const override {
    return std::string(error.what()).find(part_) != std::string::npos;
  }
  std::string describe() const override { return "has a message containing \"" + part_ + "\""; }

 private:
  std::string part_;
};

// Every entry of `dir`, recursively, relative to it.
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(dir)) names.push_back(fs::relative(e.path(), dir).string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("write_file_atomically creates the file and its folders, then replaces it whole", "[base][atomic_file]") {
  TempDir dir;
  const fs::path file = dir.path() / "a" / "b" / "notes.txt";
  mose::write_file_atomically(file, "first version, longer than the second");
  CHECK(mose::read_file(file) == "first version, longer than the second");
  mose::write_file_atomically(file, "second");
  CHECK(mose::read_file(file) == "second");
  mose::write_file_atomically(file, std::string("\0binary\n\0", 9));
  CHECK(mose::read_file(file) == std::string("\0binary\n\0", 9));
  CHECK(entries(dir.path()) == std::vector<std::string>{"a", "a/b", "a/b/notes.txt"});  // no temporary left
}

TEST_CASE("replace_file_atomically writes beside the target, which keeps its old contents until the rename",
          "[base][atomic_file]") {
  TempDir dir;
  const fs::path file = dir.path() / "model.bin";
  mose::write_file_atomically(file, "old");
  fs::path seen;
  mose::replace_file_atomically(file, [&](const fs::path& temp) {
    seen = temp;
    CHECK(temp.parent_path() == file.parent_path());
    CHECK(temp != file);
    mose::write_file_atomically(temp, "new");
    CHECK(mose::read_file(file) == "old");  // a reader meanwhile sees the whole old file
  });
  CHECK(mose::read_file(file) == "new");
  CHECK_FALSE(fs::exists(seen));
  CHECK(entries(dir.path()) == std::vector<std::string>{"model.bin"});
}

TEST_CASE("a failing writer leaves the old file and no temporary file, and its error passes through",
          "[base][atomic_file]") {
  TempDir dir;
  const fs::path file = dir.path() / "table.csv";
  mose::write_file_atomically(file, "a,b\n1,2\n");
  auto half_write_then_fail = [](const fs::path& temp) {
    mose::write_file_atomically(temp, "a,b\n1,");
    throw mose::DataError("row 2 has no value for b");
  };
  CHECK_THROWS_MATCHES(mose::replace_file_atomically(file, half_write_then_fail), mose::DataError,
                       Catch::Message("row 2 has no value for b"));
  CHECK(mose::read_file(file) == "a,b\n1,2\n");
  CHECK(entries(dir.path()) == std::vector<std::string>{"table.csv"});
}

TEST_CASE("a target that cannot be written throws IoError naming it and leaves nothing behind", "[base][atomic_file]") {
  TempDir dir;
  SECTION("its folder would have to be made inside a regular file") {
    mose::write_file_atomically(dir.path() / "blocker", "a file, not a folder");
    const fs::path file = dir.path() / "blocker" / "sub" / "out.txt";
    CHECK_THROWS_MATCHES(mose::write_file_atomically(file, "x"), mose::IoError, MessageContains(file.string()));
    CHECK(entries(dir.path()) == std::vector<std::string>{"blocker"});
  }
  SECTION("it is a folder") {
    const fs::path file = dir.path() / "taken";
    fs::create_directories(file / "inside");
    CHECK_THROWS_MATCHES(mose::write_file_atomically(file, "x"), mose::IoError, MessageContains(file.string()));
    CHECK(entries(dir.path()) == std::vector<std::string>{"taken", "taken/inside"});
  }
  SECTION("its folder is read-only") {
    const fs::path folder = dir.path() / "read-only";
    fs::create_directories(folder);
    fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec);
    // Permissions do not bind root (CI containers often run as root): then the write succeeds.
    if (::access(folder.c_str(), W_OK) != 0) {
      const fs::path file = folder / "out.txt";
      CHECK_THROWS_MATCHES(mose::write_file_atomically(file, "x"), mose::IoError, MessageContains(file.string()));
      CHECK(entries(folder).empty());
    }
  }
}

TEST_CASE("write_private_file_atomically leaves a file only its owner can read, whatever the umask",
          "[base][atomic_file]") {
  TempDir dir;
  const fs::path path = dir.path() / "slurm" / "secret.sbatch";
  const mode_t old_umask = ::umask(0);  // the widest: a plain create would give 0666
  mose::write_private_file_atomically(path, "password=s3cret\n");
  CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(mose::read_file(path) == "password=s3cret\n");
  // Replacing a world-readable file narrows it.
  mose::write_file_atomically(path, "old");
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  mose::write_private_file_atomically(path, "new");
  ::umask(old_umask);
  CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(mose::read_file(path) == "new");
  CHECK(entries(dir.path()) == std::vector<std::string>{"slurm", "slurm/secret.sbatch"});
}

TEST_CASE("read_file returns the bytes and names a missing file", "[base][atomic_file]") {
  TempDir dir;
  const fs::path missing = dir.path() / "missing.txt";
  CHECK_THROWS_MATCHES(mose::read_file(missing), mose::IoError, MessageContains(missing.string()));
  mose::write_file_atomically(dir.path() / "empty", "");
  CHECK(mose::read_file(dir.path() / "empty").empty());
}
