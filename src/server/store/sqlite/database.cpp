#include "server/store/sqlite/database.hpp"

#include <cerrno>

namespace agentsudo::server::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int code, std::string_view doing) {
  std::string message(doing);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw SqliteError(code, message, db != nullptr ? sqlite3_system_errno(db) : 0);
}

void check(sqlite3* db, int code, std::string_view doing) {
  if (code != SQLITE_OK)
    fail(db, code, doing);
}

}  // namespace

bool SqliteError::disk_full() const {
  int primary = code_ & 0xff;
  return primary == SQLITE_FULL ||
         (primary == SQLITE_IOERR && (system_errno_ == ENOSPC || system_errno_ == EDQUOT));
}

Error error_from(const SqliteError& e, const char* doing) {
  if (!e.disk_full())
    return Error{ErrorKind::kInternal, std::string(doing) + " failed: " + e.what(), {}, {}, {}};
  return Error{ErrorKind::kStorageFull,
               std::string(doing) + " failed: the server's disk is full; nothing was stored",
               {},
               {},
               kStorageFullRetrySeconds};
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int code = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  check(db, code, "prepare");
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::bind(int index, std::int64_t value) {
  check(db_, sqlite3_bind_int64(stmt_, index, value), "bind");
}

void Statement::bind(int index, std::string_view text) {
  check(db_,
        sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
        "bind");
}

void Statement::bind_optional(int index, const std::optional<std::string>& text) {
  if (text) {
    bind(index, std::string_view(*text));
  } else {
    bind_null(index);
  }
}

void Statement::bind_borrowed(int index, std::string_view text) {
  check(db_,
        sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8),
        "bind");
}

void Statement::bind_borrowed(int index, const std::optional<std::string>& text) {
  if (text) {
    bind_borrowed(index, std::string_view(*text));
  } else {
    bind_null(index);
  }
}

void Statement::bind_blob(int index, const void* data, std::size_t size) {
  check(db_, sqlite3_bind_blob64(stmt_, index, data, size, SQLITE_TRANSIENT), "bind");
}

void Statement::bind_null(int index) {
  check(db_, sqlite3_bind_null(stmt_, index), "bind");
}

bool Statement::step() {
  int code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW)
    return true;
  if (code == SQLITE_DONE)
    return false;
  fail(db_, code, "step");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string_view Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string_view()
                         : std::string_view(text, static_cast<std::size_t>(size));
}

std::string_view Statement::column_blob(int column) const {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  int size = sqlite3_column_bytes(stmt_, column);
  return bytes == nullptr ? std::string_view()
                          : std::string_view(bytes, static_cast<std::size_t>(size));
}

std::optional<std::string> Statement::column_optional_text(int column) const {
  if (column_is_null(column))
    return std::nullopt;
  return std::string(column_text(column));
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::unique_ptr<Database> Database::open(const std::filesystem::path& file) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int code = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Database> db(new Database(raw));
  check(raw, code, "open " + file.string());
  sqlite3_extended_result_codes(raw, 1);
  check(raw, sqlite3_busy_timeout(raw, 10'000), "busy_timeout");
  db->exec("PRAGMA journal_mode=WAL");
  // FULL: a commit returns only after the WAL is fsynced, which is what lets
  // us acknowledge an event as durable.
  db->exec("PRAGMA synchronous=FULL");
  db->exec("PRAGMA foreign_keys=ON");
  return db;
}

std::unique_ptr<Database> Database::open_read_only(const std::filesystem::path& file) {
  sqlite3* raw = nullptr;
  int code =
      sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Database> db(new Database(raw));
  check(raw, code, "open " + file.string() + " read-only");
  sqlite3_extended_result_codes(raw, 1);
  check(raw, sqlite3_busy_timeout(raw, 10'000), "busy_timeout");
  return db;
}

Database::~Database() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

void Database::exec(std::string_view sql) {
  std::string copy(sql);
  char* message = nullptr;
  int code = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &message);
  if (code != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errstr(code);
    sqlite3_free(message);
    throw SqliteError(code, "exec: " + text, sqlite3_system_errno(db_));
  }
}

StatementLease Database::prepare_cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
  }
  return StatementLease(*it->second);
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(db_);
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

bool Database::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

// Prepared once per connection: the writer opens and commits a transaction
// per group commit, and parsing these each time showed in its profile.
Transaction::Transaction(Database& db) : db_(db) {
  db_.prepare_cached("BEGIN IMMEDIATE")->run();
}

Transaction::~Transaction() {
  // SQLite rolls back by itself on some errors; on others (a failed COMMIT
  // on a full disk) the transaction stays open until we end it.
  if (open_ && db_.in_transaction()) {
    try {
      db_.prepare_cached("ROLLBACK")->run();
    } catch (const SqliteError&) {
      // Nothing more to do here; the next BEGIN reports a connection still in a transaction.
    }
  }
}

ReadSnapshot::ReadSnapshot(Database& db) : db_(db) {
  db_.exec("BEGIN");
}

ReadSnapshot::~ReadSnapshot() {
  try {
    db_.exec("COMMIT");
  } catch (const SqliteError&) {
    // A read transaction has nothing to lose; the next BEGIN starts afresh.
  }
}

void Transaction::commit() {
  db_.prepare_cached("COMMIT")->run();
  open_ = false;
}

}  // namespace agentsudo::server::sqlite
