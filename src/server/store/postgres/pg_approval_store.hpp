#pragma once

#include <memory>

#include "server/store/approval_store.hpp"
#include "server/store/postgres/connection_pool.hpp"

namespace agentsudo::server::postgres {

// ApprovalStore on PostgreSQL: the `approvals` table, and each change's event
// appended to the log in the same transaction (see approval_journal.hpp).
// Every change is a conditional UPDATE or runs under a row lock, so nodes
// sharing the database settle each request once. Thread-safe.
class PgApprovalStore final : public ApprovalStore {
 public:
  explicit PgApprovalStore(std::shared_ptr<ConnectionPool> pool);

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
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace agentsudo::server::postgres
