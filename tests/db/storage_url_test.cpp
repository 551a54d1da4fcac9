#include "db/storage_url.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "base/errors.h"
#include "db/postgres/connection.h"
#include "db/storage.h"
#include "db_test_support.h"

using namespace mose::db;
using mose::db::testing::MessageContains;

TEST_CASE("plain paths and sqlite: URLs name SQLite files", "[db][url]") {
  struct Case {
    std::string url;
    std::string path;
  };
  const Case cases[] = {
      {"/abs/mose.db", "/abs/mose.db"},
      {"runs/mose.db", "runs/mose.db"},
      {"./mose.db", "./mose.db"},
      {"sqlite:///abs/mose.db", "/abs/mose.db"},
      {"sqlite:relative/mose.db", "relative/mose.db"},
      {"SQLite:relative.db", "relative.db"},
      {"sqlite:/abs.db", "/abs.db"},
      {"c:db", "c:db"},  // one letter is not a scheme
  };
  for (const Case& c : cases) {
    INFO(c.url);
    const StorageUrl parsed = parse_storage_url(c.url);
    CHECK(parsed.backend == Backend::kSqlite);
    CHECK(parsed.location == c.path);
  }
}

TEST_CASE("postgresql URLs open the PostgreSQL backend, and failures never show the password", "[db][url]") {
  CHECK(parse_storage_url("postgresql://mose@db.lab/studies").backend == Backend::kPostgres);
  CHECK(parse_storage_url("postgres://mose@db.lab/studies").backend == Backend::kPostgres);
  CHECK(parse_storage_url("postgresql://mose@db.lab/studies").location == "postgresql://mose@db.lab/studies");
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  try {
    open_storage("postgresql://mose:s3cret@127.0.0.1:1/studies?password=s3cret&sslmode=disable");
    FAIL("connecting to a closed port succeeded");
  } catch (const mose::DbError& error) {
    const std::string message = error.what();
    CHECK_THAT(message, Catch::Matchers::Contains("postgresql://mose:***@127.0.0.1:1/studies?password=***&sslmode"));
    CHECK_THAT(message, Catch::Matchers::Contains("cannot connect to PostgreSQL"));
    CHECK_THAT(message, !Catch::Matchers::Contains("s3cret"));
  }
  CHECK(mose::db::postgres::redact_password("postgresql://u@h/db") == "postgresql://u@h/db");
  CHECK(mose::db::postgres::redact_password("postgres://u:p@h:5/db") == "postgres://u:***@h:5/db");
}

TEST_CASE("a PostgreSQL URL's password is read as libpq reads it, and can be left out", "[db][url]") {
  struct Case {
    std::string url, without;
    std::optional<std::string> password;
  };
  const std::vector<Case> cases{
      {"postgresql://mose:s3cret@db.lab:5432/studies", "postgresql://mose@db.lab:5432/studies", "s3cret"},
      {"postgres://mose:p%40ss%3Aw0rd@db.lab/studies", "postgres://mose@db.lab/studies", "p@ss:w0rd"},
      {"postgresql://mose@db.lab/studies?sslmode=require&password=x%26y&connect_timeout=5",
       "postgresql://mose@db.lab/studies?sslmode=require&connect_timeout=5", "x&y"},
      {"postgresql://mose:ignored@db.lab/studies?password=wins", "postgresql://mose@db.lab/studies", "wins"},
      {"postgresql://mose@db.lab/studies?password=only", "postgresql://mose@db.lab/studies", "only"},
      {"postgresql://mose@db.lab/studies", "postgresql://mose@db.lab/studies", std::nullopt},
      {"postgresql://db.lab/studies?sslmode=disable", "postgresql://db.lab/studies?sslmode=disable", std::nullopt},
      {"postgresql:///studies?host=/run/postgresql", "postgresql:///studies?host=/run/postgresql", std::nullopt},
      {"runs/study.db", "runs/study.db", std::nullopt},
      {"sqlite:///a:b@c/study.db", "sqlite:///a:b@c/study.db", std::nullopt},
  };
  for (const Case& c : cases) {
    INFO(c.url);
    CHECK(url_password(c.url) == c.password);
    CHECK(url_without_password(c.url) == c.without);
    CHECK_FALSE(url_password(url_without_password(c.url)));
  }
}

TEST_CASE("unusable storage URLs are DbErrors listing the accepted forms", "[db][url]") {
  for (const std::string url : {"mysql://root@localhost/mose", "sqlite://host/mose.db", "sqlite:", "sqlite://", ""}) {
    INFO(url);
    CHECK_THROWS_MATCHES(parse_storage_url(url), mose::DbError,
                         MessageContains({"'" + url + "'", "sqlite:///absolute/path.db", "postgresql://"}));
  }
  CHECK_THROWS_MATCHES(parse_storage_url("mysql://root@localhost/mose"), mose::DbError,
                       MessageContains({"unknown scheme 'mysql'"}));
}
