#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/model/error.hpp"

namespace agentsudo::server::sqlite {

// Thrown by this thin wrapper only; the stores built on it catch it at their
// public boundary and return an Error value, so nothing above store/ sees it.
class SqliteError : public std::runtime_error {
 public:
  // `system_errno` is what the OS said for an I/O error (sqlite3_system_errno), else 0.
  SqliteError(int code, const std::string& what, int system_errno = 0)
      : std::runtime_error(what), code_(code), system_errno_(system_errno) {}
  int code() const { return code_; }
  // Whether the write failed for want of space (SQLITE_FULL, or an I/O error
  // with ENOSPC or EDQUOT): nothing was written, and it may work once space is freed.
  bool disk_full() const;

 private:
  int code_;
  int system_errno_;
};

// A prepared statement. Bind parameters are 1-based, columns 0-based, as in
// SQLite. Not thread-safe: it belongs to one connection.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, std::int64_t value);
  void bind(int index, std::string_view text);
  void bind_optional(int index, const std::optional<std::string>& text);
  // Binds without copying: `text` must stay alive and unchanged until the
  // statement is reset. For the hot insert path, whose rows are already in memory.
  void bind_borrowed(int index, std::string_view text);
  void bind_borrowed(int index, const std::optional<std::string>& text);
  void bind_blob(int index, const void* data, std::size_t size);
  void bind_null(int index);

  // Advances to the next row; returns false when there is none.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  // Clears the bindings and rewinds, ready for reuse.
  void reset();

  std::int64_t column_int64(int column) const;
  std::string_view column_text(int column) const;
  std::string_view column_blob(int column) const;
  std::optional<std::string> column_optional_text(int column) const;
  bool column_is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a cached statement when the caller is done with it, even on an
// exception, so the next user finds it clean.
class StatementLease {
 public:
  explicit StatementLease(Statement& statement) : statement_(&statement) {}
  ~StatementLease() { statement_->reset(); }
  StatementLease(const StatementLease&) = delete;
  StatementLease& operator=(const StatementLease&) = delete;
  Statement* operator->() { return statement_; }
  Statement& operator*() { return *statement_; }

 private:
  Statement* statement_;
};

// One SQLite connection with our pragmas (WAL, synchronous=FULL, foreign keys,
// a busy timeout so the CLI and a running server can share the file).
// Not thread-safe: use it from one thread at a time.
class Database {
 public:
  static std::unique_ptr<Database> open(const std::filesystem::path& file);
  // For readers that must not change the file (`migrate` copies from it):
  // no pragmas, no migration; a write through it fails.
  static std::unique_ptr<Database> open_read_only(const std::filesystem::path& file);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  // A statement prepared once per connection and reused; the lease resets it.
  StatementLease prepare_cached(const std::string& sql);
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  // Whether a transaction is still open (SQLite may leave one open after a
  // failed COMMIT, e.g. on a full disk).
  bool in_transaction() const;
  sqlite3* handle() { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless committed
// (also after a failed COMMIT, which in WAL mode may leave the transaction
// open), so the connection is usable again either way.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool open_ = true;
};

// A deferred read transaction: everything read while it lives comes from one
// snapshot, even while the writer commits.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Database& db_;
};

}  // namespace agentsudo::server::sqlite

namespace agentsudo::server::sqlite {

// How long a client refused for a full disk is told to wait (Retry-After).
inline constexpr std::int64_t kStorageFullRetrySeconds = 5;

// The Error value for a SqliteError: kStorageFull for a full disk, else kInternal.
Error error_from(const SqliteError& e, const char* doing);

// Runs `body`, turning a SqliteError into an Error value: the one place where
// this wrapper's exceptions become the server's error style.
template <class Body>
auto translate_errors(const char* doing, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SqliteError& e) {
    return error_from(e, doing);
  }
}

}  // namespace agentsudo::server::sqlite
