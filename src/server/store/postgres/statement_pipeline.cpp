#include "server/store/postgres/statement_pipeline.hpp"

#include <optional>

namespace agentsudo::server::postgres {
namespace {

// Leaves pipeline mode however run() ends; after a lost connection libpq
// refuses, and the connection is reset before its next use anyway.
class PipelineMode {
 public:
  explicit PipelineMode(PGconn* conn) : conn_(conn) {
    if (PQenterPipelineMode(conn_) != 1)
      throw PgError("", std::string("cannot enter pipeline mode: ") + PQerrorMessage(conn_));
  }
  ~PipelineMode() { PQexitPipelineMode(conn_); }
  PipelineMode(const PipelineMode&) = delete;
  PipelineMode& operator=(const PipelineMode&) = delete;

 private:
  PGconn* conn_;
};

PgError lost(PGconn* conn) {
  return PgError("",
                 std::string("PostgreSQL connection lost in a pipeline: ") + PQerrorMessage(conn));
}

// The error of a failed result, as `checked` words it, or nullopt; hands
// the rows of a successful one to `returned`.
std::optional<PgError> take_result(PGconn* conn, PGresult* result,
                                   const StatementPipeline::RowsHandler& returned) {
  ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    Rows rows(result);
    if (returned)
      returned(rows);
    return std::nullopt;
  }
  if (status == PGRES_PIPELINE_ABORTED) {
    PQclear(result);
    return std::nullopt;
  }
  try {
    checked(conn, result);  // throws and clears
  } catch (const PgError& e) {
    return e;
  }
  return std::nullopt;
}

}  // namespace

std::pair<const std::string*, bool> PreparedStatements::name(const std::string& sql) {
  auto it = names_.find(sql);
  if (it == names_.end())
    it = names_.emplace(sql, "pipelined_" + std::to_string(next_name_++)).first;
  return {&it->second, !ready_.contains(sql)};
}

// Sends one statement; a statement to prepare first adds its SQL to
// `preparing`, in the order of the results to come.
void StatementPipeline::send(const Statement& statement,
                             std::vector<const std::string*>& preparing) {
  PGconn* conn = conn_.handle();
  const Params& params = statement.params;
  auto pointers = params.pointers();
  int sent = 0;
  if (prepared_ == nullptr) {
    sent = PQsendQueryParams(conn, statement.sql.c_str(), params.size(), nullptr, pointers.data(),
                             params.lengths().data(), params.formats().data(), 0);
  } else {
    auto [name, unprepared] = prepared_->name(statement.sql);
    if (unprepared) {
      if (PQsendPrepare(conn, name->c_str(), statement.sql.c_str(), 0, nullptr) != 1)
        throw lost(conn);
      preparing.push_back(&statement.sql);
      prepared_->prepared(statement.sql);
    } else {
      preparing.push_back(nullptr);
    }
    sent = PQsendQueryPrepared(conn, name->c_str(), params.size(), pointers.data(),
                               params.lengths().data(), params.formats().data(), 0);
  }
  if (sent != 1)
    throw lost(conn);
}

void StatementPipeline::run() {
  if (statements_.empty())
    return;
  PGconn* conn = conn_.handle();
  std::optional<PgError> first_failure;
  {
    PipelineMode mode(conn);
    // One entry per statement when prepared: the SQL it prepares first, or
    // null.
    std::vector<const std::string*> preparing;
    for (const auto& statement : statements_)
      send(statement, preparing);
    if (PQpipelineSync(conn) != 1)
      throw lost(conn);
    for (std::size_t i = 0; i < statements_.size(); ++i) {
      if (prepared_ != nullptr && preparing[i] != nullptr) {
        PGresult* parsed = PQgetResult(conn);
        if (parsed == nullptr)
          throw lost(conn);
        auto failure = take_result(conn, parsed, {});
        if (failure && !first_failure)
          first_failure = std::move(failure);
        while (PGresult* extra = PQgetResult(conn))
          PQclear(extra);
      }
      PGresult* result = PQgetResult(conn);
      if (result == nullptr)
        throw lost(conn);
      auto failure = take_result(conn, result, statements_[i].returned);
      if (failure && !first_failure)
        first_failure = std::move(failure);
      // Each statement's results end with a null.
      while (PGresult* extra = PQgetResult(conn))
        PQclear(extra);
    }
    PGresult* sync = PQgetResult(conn);
    if (sync == nullptr || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) {
      PQclear(sync);
      throw lost(conn);
    }
    PQclear(sync);
  }
  statements_.clear();
  if (first_failure) {
    if (prepared_ != nullptr)
      prepared_->forget();
    throw *first_failure;
  }
}

}  // namespace agentsudo::server::postgres
