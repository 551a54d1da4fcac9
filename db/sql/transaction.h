// The one transaction guard of the SQL backends (private to db/): BEGIN on
// construction, ROLLBACK on destruction unless commit() ran, so an early
// return or an exception leaves the store as it was. It drives anything with
// begin(...), commit() and a rollback() that never throws: a Session
// (sql::Transaction) or SQLite's Connection (sqlite::Transaction).
#pragma once

namespace mose::db::sql {

template <typename Db>
class BasicTransaction {
 public:
  // Passes `begin_args` on to db.begin() (SQLite's takes a read or write mode).
  template <typename... BeginArgs>
  explicit BasicTransaction(Db& db, BeginArgs... begin_args) : db_(db) {
    db_.begin(begin_args...);
  }
  ~BasicTransaction() {
    if (open_) db_.rollback();
  }
  BasicTransaction(const BasicTransaction&) = delete;
  BasicTransaction& operator=(const BasicTransaction&) = delete;

  void commit() {
    db_.commit();
    open_ = false;
  }

 private:
  Db& db_;
  bool open_ = true;
};

}  // namespace mose::db::sql
