// What a SQL backend supplies to the shared storage code (private to db/): one
// connection to one store (Session) and the few pieces of SQL its dialect says
// differently (Dialect). Everything else, the statements included, is written
// once in db/sql/ and runs on both SQLite and PostgreSQL; each dialect folder
// (db/sqlite/, db/postgres/) implements Session once, beside its connection.
//
// A Session serves one thread and must not cross fork(), like its connection.
#pragma once

#include <string>
#include <string_view>

#include "db/sql/params.h"
#include "db/sql/rows.h"
#include "db/sql/transaction.h"

namespace mose::db::sql {

// SQL fragments that differ between the dialects. Shared statements splice
// them in where they say so; each is documented by what it must mean.
struct Dialect {
  // Column types of the schema (db/sql/schema.cpp): an integer primary key that
  // numbers new rows and still takes explicit ids; 64-bit integers; doubles.
  std::string_view id_column;
  std::string_view integer;
  std::string_view real;
  // Follows the ")" of a table whose rows are best stored in primary-key order.
  std::string_view keyed_table;
  // Follows a text column in ORDER BY so that text sorts by its bytes, whatever
  // the store's locale.
  std::string_view bytewise;
  // Ends the SELECTs that choose trials to claim or fail (trials aliased t):
  // keeps two concurrent claimers from choosing the same rows.
  std::string_view lock_rows;
  // A one-column SELECT of the ids in the JSON array bound to $1 (json_id_array).
  std::string_view ids_from_json;
  // The next free id of studies and of trials, for an import that cannot keep its ids.
  std::string_view next_study_id;
  std::string_view next_trial_id;
  // Run first in an import's transaction (empty: nothing): keeps the ids it
  // finds free from being taken before it commits.
  std::string_view lock_for_import;
  // Run after an import that kept its ids (empty: nothing): later inserts must
  // not be numbered with ids the import took.
  std::string_view sync_ids;
  // What a store is, in messages ("copy into another file").
  std::string_view store_noun;
};

class Session {
 public:
  // `name` names the store in messages (a file path; a server URL without its
  // password); `description` is what Storage::describe() reports.
  Session(std::string name, std::string description, const Dialect& dialect)
      : name_(std::move(name)), description_(std::move(description)), dialect_(dialect) {}
  virtual ~Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& name() const { return name_; }
  const std::string& describe() const { return description_; }
  const Dialect& dialect() const { return dialect_; }

  // Runs one statement with parameters $1, $2, ... bound from `params` and
  // returns every row it produced; a $N past the last of `params` is an error,
  // a parameter the statement does not use is ignored. Throws DbError naming
  // the store, the statement and the database's own message.
  virtual Rows run(std::string_view sql, const Params& params = {}) = 0;
  // Runs one or more ';'-separated statements without parameters (schema scripts).
  virtual void run_script(std::string_view sql) = 0;

  // A write transaction; use it through Transaction. begin() waits at most the
  // store's timeout for other writers; rollback() never throws (it logs), so
  // that it can run while an exception unwinds.
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;

  // The schema version the store holds (0 for a store mose never used) and,
  // inside the migration's transaction, where it is written.
  virtual int read_schema_version() = 0;
  virtual void write_schema_version(int version) = 0;
  // Called first in the migration's transaction: makes a second process that
  // migrates the same store wait until this one commits.
  virtual void lock_schema() = 0;

 private:
  std::string name_;
  std::string description_;
  const Dialect& dialect_;
};

using Transaction = BasicTransaction<Session>;

}  // namespace mose::db::sql
