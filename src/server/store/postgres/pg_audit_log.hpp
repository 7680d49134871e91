#pragma once

#include <memory>

#include "server/store/audit_log.hpp"
#include "server/store/postgres/connection_pool.hpp"

namespace agentsudo::server::postgres {

// AuditLog on PostgreSQL: each verification reads one snapshot through the
// shared pool, so writers on any node neither block nor skew it.
class PgAuditLog final : public AuditLog {
 public:
  explicit PgAuditLog(std::shared_ptr<ConnectionPool> pool);

  Result<audit::ChainReport> verify(std::int64_t project_rowid,
                                    const audit::PublicKey& key) override;
  Result<std::vector<audit::Checkpoint>> checkpoints(std::int64_t project_rowid) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

// The same verification on a connection of the caller's (the CLI's).
audit::ChainReport verify_project_chain(Connection& conn, std::int64_t project_rowid,
                                        const audit::PublicKey& key);

}  // namespace agentsudo::server::postgres
