#pragma once

#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// A read-only REPEATABLE READ transaction: every statement in it sees the
// same snapshot, so a report's parts agree with each other while a writer
// commits beside it. Ends (rolls back) on destruction.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Connection& conn) : conn_(conn) {
    conn_.exec_script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
  ~ReadSnapshot() {
    try {
      conn_.exec_script("ROLLBACK");
    } catch (const PgError&) {
      // The connection is gone; the pool reopens it.
    }
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Connection& conn_;
};

}  // namespace agentsudo::server::postgres
