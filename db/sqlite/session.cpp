#include "db/sqlite/session.h"

#include <string>
#include <unordered_map>

#include "base/errors.h"
#include "base/log.h"
#include "db/sqlite/connection.h"

namespace mose::db::sqlite {
namespace {

const sql::Dialect kDialect{
    .id_column = "INTEGER PRIMARY KEY",  // the rowid itself
    .integer = "INTEGER",
    .real = "REAL",
    .keyed_table = " WITHOUT ROWID",  // the primary key is the table's only b-tree
    .bytewise = "",                   // BINARY, SQLite's default collation, compares bytes
    .lock_rows = "",                  // every write is BEGIN IMMEDIATE, which keeps other writers out
    .ids_from_json = "SELECT value FROM json_each($1)",
    .next_study_id = "NULL",  // a NULL INTEGER PRIMARY KEY takes the next free rowid
    .next_trial_id = "NULL",
    .lock_for_import = "",  // BEGIN IMMEDIATE, as for claims
    .sync_ids = "",         // new rowids follow the largest id on their own
    .store_noun = "file",
};

class SqliteSession final : public sql::Session {
 public:
  SqliteSession(const std::string& path, double busy_timeout_s, bool read_only)
      : sql::Session(path, "sqlite:" + path, kDialect),
        connection_(path, busy_timeout_s, read_only ? OpenMode::kReadOnly : OpenMode::kReadWrite) {
    if (!read_only) configure();  // journal mode and foreign keys matter to writers only
  }

  // Statements are prepared once per text and kept: the shared statements are a
  // fixed set, and a worker runs the same few many times.
  sql::Rows run(std::string_view sql, const sql::Params& params) override {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) it = statements_.emplace(std::string(sql), connection_.prepare(sql)).first;
    Statement& statement = it->second;
    // Rewound even when binding or a step throws, so no half-run statement keeps a read open.
    struct Rewind {
      Statement& statement;
      ~Rewind() { statement.reset(); }
    } rewind{statement};
    return statement.bind_params(params).fetch_all();
  }

  void run_script(std::string_view sql) override { connection_.exec(sql); }

  void begin() override { connection_.begin(TransactionMode::kWrite); }
  void commit() override { connection_.commit(); }
  void rollback() noexcept override { connection_.rollback(); }

  int read_schema_version() override { return static_cast<int>(run("PRAGMA user_version", {}).int64(0, 0)); }
  // user_version lives in the file header and changes inside the transaction.
  void write_schema_version(int version) override {
    connection_.exec("PRAGMA user_version = " + std::to_string(version));
  }
  // Nothing to add: the migration's BEGIN IMMEDIATE already holds the write lock.
  void lock_schema() override {}

 private:
  void configure();

  Connection connection_;
  std::unordered_map<std::string, Statement> statements_;  // after connection_: finalized first
};

// Per-connection settings. WAL lets readers (the GUI) run beside the one
// writer; synchronous=NORMAL is WAL's recommended pairing: a commit survives a
// killed process, and a power cut can lose only the last few commits, never
// corrupt the file.
void SqliteSession::configure() {
  const std::string mode = connection_.set_journal_mode("WAL");
  if (mode != "wal") {
    log::warn("{}: SQLite refused WAL mode (journal mode is '{}'); concurrent workers will wait more",
              connection_.path(), mode);
  }
  connection_.exec("PRAGMA synchronous = NORMAL");
  connection_.exec("PRAGMA foreign_keys = ON");
  Statement foreign_keys = connection_.prepare("PRAGMA foreign_keys");
  if (!foreign_keys.step() || foreign_keys.column_int64(0) != 1) {
    throw DbError(connection_.path() + ": this SQLite library cannot enforce foreign keys");
  }
}

}  // namespace

std::unique_ptr<sql::Session> open_session(const std::string& path, double busy_timeout_s, bool read_only) {
  return std::make_unique<SqliteSession>(path, busy_timeout_s, read_only);
}

}  // namespace mose::db::sqlite
