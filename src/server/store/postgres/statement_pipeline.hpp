#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// The statements a pipeline has prepared on one connection (by SQL), so
// that the server parses and plans each once. Forget them when the
// connection is reset: the session that held them is gone.
class PreparedStatements {
 public:
  // The statement's name, and whether it still has to be prepared.
  std::pair<const std::string*, bool> name(const std::string& sql);
  // Marked as soon as its Prepare is sent, so that a second statement with
  // the same SQL in one pipeline does not prepare it again; a pipeline that
  // fails forgets everything (its prepares may not have happened).
  void prepared(const std::string& sql) { ready_.insert(sql); }
  void forget() {
    names_.clear();
    ready_.clear();
  }

 private:
  std::unordered_map<std::string, std::string> names_;
  std::unordered_set<std::string> ready_;
  // Names are never reused, so statements a forgotten session may still
  // hold cannot collide with new ones.
  std::size_t next_name_ = 0;
};

// Statements that do not depend on each other's results, sent to the
// server together in libpq's pipeline mode and answered in one round trip
// instead of one each. They run in order, inside the caller's
// transaction; the first failure aborts the rest and is thrown. Without
// `prepared` statements go unnamed (parsed each time).
class StatementPipeline {
 public:
  explicit StatementPipeline(Connection& conn, PreparedStatements* prepared = nullptr)
      : conn_(conn), prepared_(prepared) {}

  using RowsHandler = std::function<void(const Rows&)>;

  // `returned`, when set, sees the statement's rows once run() has them.
  void add(std::string sql, Params params, RowsHandler returned = {}) {
    statements_.push_back({std::move(sql), std::move(params), std::move(returned)});
  }
  bool empty() const { return statements_.empty(); }
  // Sends every statement added, waits for all their results, and empties
  // the pipeline. Throws PgError (the first statement's that failed).
  void run();

 private:
  struct Statement {
    std::string sql;
    Params params;
    RowsHandler returned;
  };

  void send(const Statement& statement, std::vector<const std::string*>& preparing);

  Connection& conn_;
  PreparedStatements* prepared_;
  std::vector<Statement> statements_;
};

}  // namespace agentsudo::server::postgres
