#include "core/data/text_source.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "core/data/data_config.h"
#include "core/data/test_files.h"

using namespace mose::core::data;
namespace fs = std::filesystem;

TEST_CASE("folders are listed recursively in sorted order, hidden names skipped", "[core][data]") {
  testing::TempDir dir;
  testing::write_text(dir / "corpus/b.txt", "b\n");
  testing::write_text(dir / "corpus/a/z.txt", "az\n");
  testing::write_text(dir / "corpus/a/c.txt", "ac\n");
  testing::write_text(dir / "corpus/.hidden.txt", "hidden\n");
  testing::write_text(dir / "corpus/.git/config", "git\n");
  testing::write_text(dir / "single.txt", "single");

  const auto files = list_text_files({dir / "single.txt", dir / "corpus"});
  REQUIRE(files.size() == 4);
  CHECK(files[0] == dir / "single.txt");
  CHECK(files[1] == dir / "corpus/a/c.txt");
  CHECK(files[2] == dir / "corpus/a/z.txt");
  CHECK(files[3] == dir / "corpus/b.txt");
  // A file without a final newline still ends its own line.
  CHECK(read_text_files(files, 0) == "single\nac\naz\nb\n");
}

TEST_CASE("gzip files read like the plain text they hold", "[core][data]") {
  testing::TempDir dir;
  const std::string text = testing::synthetic_text(2000);
  testing::write_text(dir / "plain.txt", text);
  testing::write_gzip(dir / "packed.txt.gz", text);
  CHECK(fs::file_size(dir / "packed.txt.gz") < text.size() / 2);
  CHECK(read_text_files({dir / "packed.txt.gz"}, 0) == text);
  CHECK(read_text_files({dir / "packed.txt.gz"}, 0) == read_text_files({dir / "plain.txt"}, 0));
}

TEST_CASE("the default dictzip corpus reads through zlib", "[core][data]") {
  const std::string prefix = read_text_files({fs::path(kDefaultCorpus)}, 4096);
  CHECK(prefix.size() <= 4096);
  CHECK(prefix.size() > 3000);
  CHECK(prefix.find("Collaborative International Dictionary of English") != std::string::npos);
}

TEST_CASE("max_bytes keeps the longest prefix of whole lines", "[core][data]") {
  testing::TempDir dir;
  testing::write_text(dir / "a.txt", "one\ntwo\nthree\n");
  testing::write_text(dir / "b.txt", "four\n");
  const std::vector<fs::path> files{dir / "a.txt", dir / "b.txt"};
  CHECK(read_text_files(files, 9) == "one\ntwo\n");
  CHECK(read_text_files(files, 8) == "one\ntwo\n");
  CHECK(read_text_files(files, 7) == "one\n");
  CHECK(read_text_files(files, 19) == "one\ntwo\nthree\nfour\n");
  CHECK(read_text_files(files, 100) == "one\ntwo\nthree\nfour\n");
  CHECK(read_text_files(files, 2) == "on");  // a first line longer than the limit is cut
}

TEST_CASE("bad sources fail with the file named", "[core][data]") {
  testing::TempDir dir;
  CHECK_THROWS_AS(list_text_files({dir / "absent.txt"}), mose::DataError);
  CHECK_THROWS_WITH(list_text_files({dir / "absent.txt"}), Catch::Contains("absent.txt"));
  // A missing GCIDE says where it comes from.
  CHECK_THROWS_WITH(list_text_files({dir / "gcide.dict.dz"}),
                    Catch::Contains("dict-gcide") && Catch::Contains("scripts/setup"));

  fs::create_directories(dir / "empty");
  CHECK_THROWS_WITH(list_text_files({dir / "empty"}), Catch::Contains("contains no files"));

  testing::write_text(dir / "blank.txt", "");
  CHECK_THROWS_WITH(read_text_files({dir / "blank.txt"}, 0), Catch::Contains("no text"));

  const std::string text = testing::synthetic_text(3000);
  testing::write_gzip(dir / "cut.gz", text);
  const auto packed = mose::read_file(dir / "cut.gz");
  testing::write_text(dir / "cut.gz", std::string_view(packed).substr(0, packed.size() / 2));
  CHECK_THROWS_AS(read_text_files({dir / "cut.gz"}, 0), mose::DataError);
  CHECK_THROWS_WITH(read_text_files({dir / "cut.gz"}, 0), Catch::Contains("cut.gz"));
}
