#pragma once

#include <memory>
#include <mutex>

#include "server/store/approval_store.hpp"
#include "server/store/sqlite/connection_pool.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// ApprovalStore on SQLite: the `approvals` table, and each change's event in
// `events` in the same transaction (see approval_journal.hpp). Writes go
// through one connection under a mutex; reads borrow from the shared pool.
// Thread-safe.
class SqliteApprovalStore final : public ApprovalStore {
 public:
  SqliteApprovalStore(std::unique_ptr<Database> writer, std::shared_ptr<ConnectionPool> readers);

  Result<RequestedApproval> create(const ApprovalRequestRecord& request) override;
  Result<Approval> decide(std::int64_t project_rowid, std::string_view id,
                          const ApprovalDecision& decision) override;
  Result<std::optional<Approval>> redeem(std::int64_t project_rowid, std::string_view id,
                                         const ApprovalBinding& binding, UnixMicros decided_since,
                                         UnixMicros now) override;
  Result<std::optional<Approval>> find_grant(std::int64_t project_rowid,
                                             std::string_view agent_name, std::string_view scope,
                                             UnixMicros now) override;
  Result<Approval> find(std::int64_t project_rowid, std::string_view id) override;
  Result<ApprovalWithNonce> find_with_nonce(std::int64_t project_rowid,
                                            std::string_view id) override;
  Result<std::vector<ListedApproval>> list(const ApprovalListQuery& query) override;
  Result<std::vector<Approval>> expire_due(UnixMicros now, std::size_t limit) override;
  Result<std::optional<UnixMicros>> earliest_pending_expiry() override;

 private:
  std::mutex write_mutex_;
  std::unique_ptr<Database> writer_;  // guarded by write_mutex_
  std::shared_ptr<ConnectionPool> readers_;
};

}  // namespace agentsudo::server::sqlite
