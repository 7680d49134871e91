#pragma once

#include <memory>

#include "server/store/audit_log.hpp"
#include "server/store/sqlite/connection_pool.hpp"

namespace agentsudo::server::sqlite {

// AuditLog on SQLite: each verification reads one snapshot of the file
// through the read pool, so a running writer neither blocks nor skews it.
class SqliteAuditLog final : public AuditLog {
 public:
  explicit SqliteAuditLog(std::shared_ptr<ConnectionPool> readers);

  Result<audit::ChainReport> verify(std::int64_t project_rowid,
                                    const audit::PublicKey& key) override;
  Result<std::vector<audit::Checkpoint>> checkpoints(std::int64_t project_rowid) override;

 private:
  std::shared_ptr<ConnectionPool> readers_;
};

// The same verification on a connection of the caller's (the CLI's).
audit::ChainReport verify_project_chain(Database& db, std::int64_t project_rowid,
                                        const audit::PublicKey& key);

}  // namespace agentsudo::server::sqlite
