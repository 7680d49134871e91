#include "server/store/postgres/connection.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace agentsudo::server::postgres {
namespace {

std::string sqlstate_of(const PGresult* result) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  return state ? std::string(state) : std::string();
}

std::string message_of(PGconn* conn, const PGresult* result) {
  const char* text = result ? PQresultErrorMessage(result) : nullptr;
  if (!text || !*text)
    text = PQerrorMessage(conn);
  std::string message(text ? text : "unknown error");
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  return message;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return c - 'A' + 10;
}

// The server's notices (a CREATE … IF NOT EXISTS that found the table, say)
// are meant for a person at psql; libpq would print them on our stderr.
void ignore_notice(void*, const char*) {}

}  // namespace

bool PgError::unavailable() const {
  // No SQLSTATE: libpq lost the connection. 08: connection exceptions;
  // 57P01-57P03: the server is shutting down or starting.
  return sqlstate_.empty() || sqlstate_.starts_with("08") || sqlstate_ == "57P01" ||
         sqlstate_ == "57P02" || sqlstate_ == "57P03";
}

Params& Params::push(std::optional<std::string> value, int format) {
  lengths_.push_back(value ? static_cast<int>(value->size()) : 0);
  formats_.push_back(format);
  values_.push_back(std::move(value));
  return *this;
}

Params& Params::add(std::int64_t value) {
  return push(std::to_string(value), 0);
}

Params& Params::add(std::string_view text) {
  // libpq reads a text parameter up to its first NUL: refuse rather than
  // store or compare a silently shortened value.
  if (text.find('\0') != std::string_view::npos)
    throw PgError("22021", "a text value contains a NUL character");
  return push(std::string(text), 0);
}

Params& Params::add(bool value) {
  return push(value ? "t" : "f", 0);
}

Params& Params::add(const std::optional<std::string>& text) {
  return text ? add(std::string_view(*text)) : add_null();
}

Params& Params::add(const std::optional<std::int64_t>& value) {
  return value ? add(*value) : add_null();
}

Params& Params::add_bytes(std::string_view bytes) {
  return push(std::string(bytes), 1);
}

Params& Params::add_null() {
  return push(std::nullopt, 0);
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const auto& value : values_)
    pointers.push_back(value ? value->data() : nullptr);
  return pointers;
}

std::int64_t Rows::affected() const {
  const char* count = PQcmdTuples(result_.get());
  std::int64_t value = 0;
  std::from_chars(count, count + std::strlen(count), value);
  return value;
}

bool Rows::is_null(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view Rows::text(int row, int column) const {
  return std::string_view(PQgetvalue(result_.get(), row, column),
                          static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::int64_t Rows::int64(int row, int column) const {
  auto value = text(row, column);
  std::int64_t number = 0;
  std::from_chars(value.data(), value.data() + value.size(), number);
  return number;
}

bool Rows::boolean(int row, int column) const {
  auto value = text(row, column);
  return !value.empty() && value[0] == 't';
}

std::string Rows::bytes(int row, int column) const {
  // Text format of bytea is "\x" and two hex digits per byte.
  auto value = text(row, column);
  if (value.size() < 2)
    return {};
  std::string decoded;
  decoded.reserve((value.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < value.size(); i += 2)
    decoded.push_back(static_cast<char>(hex_value(value[i]) * 16 + hex_value(value[i + 1])));
  return decoded;
}

std::optional<std::string> Rows::optional_text(int row, int column) const {
  if (is_null(row, column))
    return std::nullopt;
  return string(row, column);
}

std::optional<std::int64_t> Rows::optional_int64(int row, int column) const {
  if (is_null(row, column))
    return std::nullopt;
  return int64(row, column);
}

PGresult* checked(PGconn* conn, PGresult* result) {
  auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_PIPELINE_SYNC)
    return result;
  PgError error(sqlstate_of(result), message_of(conn, result));
  PQclear(result);
  throw error;
}

std::unique_ptr<Connection> Connection::open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    PgError error("", "cannot connect to PostgreSQL: " + message_of(conn, nullptr));
    PQfinish(conn);
    throw error;
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  auto connection = std::unique_ptr<Connection>(new Connection(conn));
  // Every commit is durable before it is acknowledged, whatever the
  // server's default; times are stored as integers, so no time zone matters.
  connection->exec_script("SET synchronous_commit = on");
  return connection;
}

Connection::~Connection() {
  PQfinish(conn_);
}

const std::string& Connection::prepared_name(const std::string& sql) {
  auto found = prepared_.find(sql);
  if (found != prepared_.end())
    return found->second;
  std::string name = "s" + std::to_string(prepared_.size());
  PQclear(checked(conn_, PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr)));
  return prepared_.emplace(sql, std::move(name)).first->second;
}

Rows Connection::exec(const std::string& sql, const Params& params) {
  const auto& name = prepared_name(sql);
  auto pointers = params.pointers();
  return Rows(checked(conn_, PQexecPrepared(conn_, name.c_str(), params.size(), pointers.data(),
                                            params.lengths().data(), params.formats().data(), 0)));
}

void Connection::exec_script(std::string_view sql) {
  std::string text(sql);
  PQclear(checked(conn_, PQexec(conn_, text.c_str())));
}

bool Connection::healthy() const {
  return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_UNKNOWN;
}

void Connection::reset() {
  prepared_.clear();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK)
    throw PgError("", "cannot reconnect to PostgreSQL: " + message_of(conn_, nullptr));
  exec_script("SET synchronous_commit = on");
}

Transaction::Transaction(Connection& conn, bool serializable) : conn_(conn) {
  conn_.exec_script(serializable ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN");
}

Transaction::~Transaction() {
  if (!open_)
    return;
  try {
    conn_.exec_script("ROLLBACK");
  } catch (const PgError&) {
    // The connection is gone; the server rolls the transaction back itself.
  }
}

void Transaction::commit() {
  open_ = false;
  conn_.exec_script("COMMIT");
}

}  // namespace agentsudo::server::postgres
