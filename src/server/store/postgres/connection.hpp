#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace agentsudo::server::postgres {

// Thrown by this thin wrapper only; the stores built on it catch it at their
// public boundary and return an Error value (see errors.hpp), so nothing
// above store/ sees it.
class PgError : public std::runtime_error {
 public:
  // `sqlstate` is the server's five-character code; empty when the
  // connection itself failed and no server answered.
  PgError(std::string sqlstate, const std::string& what)
      : std::runtime_error(what), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // The database could not be reached or went away mid-statement (no
  // SQLSTATE, class 08, or the server shutting down): a retry may succeed.
  bool unavailable() const;
  bool unique_violation() const { return sqlstate_ == "23505"; }
  // A serialization failure or deadlock: the transaction may simply be retried.
  bool retryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }

 private:
  std::string sqlstate_;
};

// The parameters of one statement ($1, $2, ... in order). Text and integers
// travel as text, bytes as binary (bytea), so no escaping is ever done here.
class Params {
 public:
  Params& add(std::int64_t value);
  Params& add(std::string_view text);
  Params& add(const char* text) { return add(std::string_view(text)); }
  Params& add(const std::string& text) { return add(std::string_view(text)); }
  Params& add(bool value);
  Params& add(const std::optional<std::string>& text);
  Params& add(const std::optional<std::int64_t>& value);
  Params& add_bytes(std::string_view bytes);
  Params& add_null();

  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> pointers() const;
  const std::vector<int>& lengths() const { return lengths_; }
  const std::vector<int>& formats() const { return formats_; }

 private:
  Params& push(std::optional<std::string> value, int format);

  std::vector<std::optional<std::string>> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// The rows of one statement, in text format. Row and column are 0-based.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}

  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  // Rows changed by an INSERT, UPDATE or DELETE without RETURNING.
  std::int64_t affected() const;

  bool is_null(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  bool boolean(int row, int column) const;
  std::string_view text(int row, int column) const;
  std::string string(int row, int column) const { return std::string(text(row, column)); }
  // A bytea column, decoded.
  std::string bytes(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  std::optional<std::int64_t> optional_int64(int row, int column) const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// One libpq connection. Statements are prepared once per connection and
// reused. Not thread-safe: use it from one thread at a time.
class Connection {
 public:
  // `url` is a libpq connection string or postgres:// URI. Throws PgError
  // (unavailable) when the server cannot be reached.
  static std::unique_ptr<Connection> open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement with parameters, through the extended protocol.
  Rows exec(const std::string& sql, const Params& params = {});
  // One or more statements without parameters (schema, BEGIN, COMMIT).
  void exec_script(std::string_view sql);

  // Whether the connection still works as far as libpq knows.
  bool healthy() const;
  // Reconnects after a failure; the prepared statements are gone with the
  // old session. Throws PgError when the server is still away.
  void reset();
  PGconn* handle() { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  const std::string& prepared_name(const std::string& sql);

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

// Throws PgError for a result that is not a success (and clears it).
PGresult* checked(PGconn* conn, PGresult* result);

// BEGIN on construction, ROLLBACK on destruction unless committed.
// `serializable` asks for SERIALIZABLE isolation instead of READ COMMITTED.
class Transaction {
 public:
  explicit Transaction(Connection& conn, bool serializable = false);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& conn_;
  bool open_ = true;
};

}  // namespace agentsudo::server::postgres
