// The two backends every storage contract test runs against: test cases are
// TEMPLATE_TEST_CASE(..., SqliteBackend, PostgresBackend), so CTest lists each
// twice ("<name> - SqliteBackend", "<name> - PostgresBackend"). A backend hands
// out store URLs by name, and sessions on them (db/sql/session.h) for the
// tests of the shared SQL code; the same name gives the same store for the life
// of the backend object, and every store is removed with it. StoreFixture is
// the store with one study that the contract tests start from.
//
// PostgreSQL: each store is a fresh database on the test server, created on
// first use and dropped afterwards, so tests running in parallel never share
// data. The server's admin URL comes from $MOSE_TEST_POSTGRES_URL, or from the
// file named by $MOSE_TEST_POSTGRES_URL_FILE, which CTest's "postgres" fixture
// writes after starting a throwaway server (scripts/postgres-test-server). With
// neither, a PostgreSQL test FAILS rather than skips: under CTest the fixture
// always provides a server, and a developer running the test binary by hand
// can start one with `scripts/postgres-test-server start DIR` and export its URL.
// PrivatePostgresServer starts a server of a test's own, to restart or stop.
#pragma once

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "db/postgres/connection.h"
#include "db/postgres/session.h"
#include "db/sqlite/session.h"
#include "db/storage.h"
#include "db_test_support.h"

namespace mose::db::testing {

struct SqliteBackend {
  TempDir dir;

  std::string url(const std::string& name) const { return dir.file(name + ".db"); }
  std::string describe(const std::string& name) const { return "sqlite:" + url(name); }
  std::unique_ptr<sql::Session> session(const std::string& name) const { return sqlite::open_session(url(name), 1.0); }
};

// postgresql://user@host:port/postgres, the server the PostgreSQL tests use.
inline std::string postgres_admin_url() {
  if (const char* url = std::getenv("MOSE_TEST_POSTGRES_URL"); url != nullptr && *url != '\0') return url;
  const char* file = std::getenv("MOSE_TEST_POSTGRES_URL_FILE");
  if (file == nullptr || *file == '\0') {
    FAIL(
        "no PostgreSQL server for this test: run it through ctest (which starts one), or run "
        "`scripts/postgres-test-server start DIR` and set MOSE_TEST_POSTGRES_URL to the URL it prints");
  }
  std::ifstream in(file);
  std::string url;
  if (!std::getline(in, url) || url.empty()) {
    FAIL("MOSE_TEST_POSTGRES_URL_FILE names " << file << ", which holds no URL: did the postgres fixture start?");
  }
  return url;
}

class PostgresBackend {
 public:
  PostgresBackend() : admin_url_(postgres_admin_url()) {}
  ~PostgresBackend() {
    try {
      postgres::Connection admin(admin_url_, 10.0);
      for (const auto& [name, database] : databases_) {
        admin.exec_script("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    } catch (const std::exception& error) {
      WARN("could not drop the test databases: " << error.what());
    }
  }
  PostgresBackend(const PostgresBackend&) = delete;
  PostgresBackend& operator=(const PostgresBackend&) = delete;

  std::string url(const std::string& name) {
    auto it = databases_.find(name);
    if (it == databases_.end()) {
      static std::atomic<int> counter{0};
      // Digits and underscores only: a database name cannot be a bound parameter.
      const std::string database = "mose_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
      postgres::Connection admin(admin_url_, 10.0);
      admin.exec_script("CREATE DATABASE " + database);
      it = databases_.emplace(name, database).first;
    }
    return admin_url_.substr(0, admin_url_.rfind('/') + 1) + it->second;
  }
  std::string describe(const std::string& name) { return url(name); }
  std::unique_ptr<sql::Session> session(const std::string& name) { return postgres::open_session(url(name), 10.0); }
  // url(name) as the role that must give its password (scripts/postgres-test-server
  // creates it; every other role is trusted), password included.
  std::string password_url(const std::string& name) {
    const std::string plain = url(name);
    const std::size_t user = plain.find("://") + 3;
    return plain.substr(0, user) + kPasswordRole + ":" + kPasswordRolePassword + plain.substr(plain.find('@', user));
  }
  static constexpr const char* kPasswordRole = "mose_password";
  static constexpr const char* kPasswordRolePassword = "mose-test-secret";

 private:
  std::string admin_url_;
  std::map<std::string, std::string> databases_;
};

// A PostgreSQL server of the test's own (scripts/postgres-test-server in `state`), for
// tests that restart or stop it: the shared server serves tests running in parallel.
// Stopped and deleted with the object.
class PrivatePostgresServer {
 public:
  explicit PrivatePostgresServer(std::filesystem::path state) : state_(std::move(state)) {
    REQUIRE(script("start") == 0);
    std::ifstream in(state_ / "url");
    REQUIRE(std::getline(in, admin_url_));
  }
  ~PrivatePostgresServer() { script("stop"); }
  PrivatePostgresServer(const PrivatePostgresServer&) = delete;
  PrivatePostgresServer& operator=(const PrivatePostgresServer&) = delete;

  // A fresh database on the server, by URL.
  std::string database(const std::string& name) {
    postgres::Connection(admin_url_, 10.0).exec_script("CREATE DATABASE " + name);
    return admin_url_.substr(0, admin_url_.rfind('/') + 1) + name;
  }
  // A fast restart: every connection is cut, and the server is back on the same port.
  void restart() { REQUIRE(script("restart") == 0); }
  void stop() { REQUIRE(script("stop") == 0); }

 private:
  int script(const std::string& verb) const {
    const std::string command = std::string(MOSE_SOURCE_DIR) + "/scripts/postgres-test-server " + verb + " '" +
                                state_.string() + "' >>'" + state_.string() + ".log' 2>&1";
    return std::system(command.c_str());
  }

  std::filesystem::path state_;
  std::string admin_url_;
};

// A store on `Backend` with one study in it, written with a clock the test
// moves by hand: what the storage and lease contract tests start from.
template <typename Backend>
struct StoreFixture {
  Backend backend;
  ManualClock clock;
  std::unique_ptr<Storage> storage = open_storage(backend.url("study"), manual_options(clock));
  std::int64_t study = storage->create_or_get_study({"sweep", "recipes/sweep.toml", "name = 'sweep'"}).id;

  Lease claim(const std::string& worker) {
    auto claimed = storage->claim_next(claim_as(worker));
    REQUIRE(claimed);
    return claimed->lease;
  }
  std::optional<std::int64_t> claimed_id(const ClaimRequest& request) {
    auto claimed = storage->claim_next(request);
    if (!claimed) return std::nullopt;
    return claimed->trial.id;
  }
};

}  // namespace mose::db::testing
