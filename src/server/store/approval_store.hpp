#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/timestamp.hpp"
#include "server/model/approval.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server {

// SHA-256 of an approval's nonce: all the store ever keeps of it.
using NonceDigest = std::array<unsigned char, 32>;

// A new pending request, as the service built it (id, times, binding).
struct ApprovalRequestRecord {
  Approval approval;
  NonceDigest nonce_digest{};
  std::int64_t policy_version = 0;  // the version that denied the call
  // The most requests the project may have waiting at once; create() is
  // kRateLimited beyond it, since requests cost no quota.
  std::int64_t max_pending = 0;
};

struct RequestedApproval {
  Approval approval;
  std::string event_id;  // its approval_requested event
};

// A person's decision on a pending request.
struct ApprovalDecision {
  bool approve = false;
  std::string decided_by;
  std::string reason;  // empty when none was given
  UnixMicros decided_at = 0;
  std::optional<std::int64_t> for_minutes;  // set for a grant
  std::optional<UnixMicros> grant_until;    // set for a grant
};

// The call a once-approval must match to be spent.
struct ApprovalBinding {
  std::string agent_name;
  std::string scope;
  std::string function_name;
  std::string args_digest;
};

// An approval with the digest of its nonce, for a redemption to compare.
struct ApprovalWithNonce {
  Approval approval;
  NonceDigest nonce_digest{};
};

// One page of a project's requests, newest first. A pending request past its
// expiry counts as expired, whether or not the sweeper has written it.
struct ApprovalListQuery {
  std::int64_t project_rowid = 0;
  std::optional<ApprovalStatus> status;  // unset: all
  UnixMicros now = 0;
  std::optional<std::int64_t> before_seq;
  std::size_t limit = 50;
};

struct ListedApproval {
  std::int64_t seq = 0;  // position, for cursors
  Approval approval;
};

// The approval requests of every project and their audit events: each change
// is one write transaction that also appends its `approval_*` event (an audit
// record: not counted against the quota nor in the analytics).
// Implementations are thread-safe.
class ApprovalStore {
 public:
  virtual ~ApprovalStore() = default;

  // Stores a pending request and its approval_requested event; the agent is
  // registered on first sight, as the ingest path does.
  virtual Result<RequestedApproval> create(const ApprovalRequestRecord& request) = 0;

  // Approves or denies a request that is pending and not past its expiry,
  // with its approval_granted or approval_denied event. kNotFound for an
  // unknown id or another project's; kConflict, saying what happened first,
  // when it was already decided or has expired.
  virtual Result<Approval> decide(std::int64_t project_rowid, std::string_view id,
                                  const ApprovalDecision& decision) = 0;

  // Spends an approved once-approval decided at or after `decided_since`
  // whose binding matches, unless it is spent already. Nothing when no row
  // qualifies (the caller tells why from the row it read).
  virtual Result<std::optional<Approval>> redeem(std::int64_t project_rowid, std::string_view id,
                                                 const ApprovalBinding& binding,
                                                 UnixMicros decided_since, UnixMicros now) = 0;

  // The grant that lets the agent use the scope now and lasts longest.
  virtual Result<std::optional<Approval>> find_grant(std::int64_t project_rowid,
                                                     std::string_view agent_name,
                                                     std::string_view scope, UnixMicros now) = 0;

  // kNotFound for an unknown id or another project's.
  virtual Result<Approval> find(std::int64_t project_rowid, std::string_view id) = 0;
  virtual Result<ApprovalWithNonce> find_with_nonce(std::int64_t project_rowid,
                                                    std::string_view id) = 0;

  virtual Result<std::vector<ListedApproval>> list(const ApprovalListQuery& query) = 0;

  // Marks at most `limit` pending requests past their expiry as expired, each
  // with its approval_expired event, in one transaction; returns them.
  virtual Result<std::vector<Approval>> expire_due(UnixMicros now, std::size_t limit) = 0;

  // When the next pending request expires, if any is pending.
  virtual Result<std::optional<UnixMicros>> earliest_pending_expiry() = 0;
};

}  // namespace agentsudo::server
