#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/model/approval.hpp"
#include "server/model/clock.hpp"
#include "server/model/error.hpp"
#include "server/model/policy.hpp"
#include "server/store/approval_store.hpp"

namespace agentsudo::server {

// Hears every committed request, decision and expiry, on the committing
// thread; it must not block.
using ApprovalListener = std::function<void(const Approval&)>;

// A redemption a /v1/check presents: an approved request's id and nonce.
struct ApprovalClaim {
  std::string id;
  std::string nonce;
};

// What a /v1/check asks of approvals beside the policy's decision.
struct CheckApprovalOptions {
  bool request_on_denial = false;  // on_denial: "approval"
  std::string args_digest;         // empty when not given
  std::string preview;
  std::int64_t ttl_seconds = 300;
  std::optional<ApprovalClaim> claim;
};

// A call the policy denied.
struct DeniedCall {
  std::int64_t project_rowid = 0;
  std::string agent_name;
  std::string scope;
  std::string function_name;
  std::string denial_reason;
  std::int64_t policy_version = 0;
};

// What approvals made of a denied call.
struct DenialResolution {
  enum class Kind {
    kDenied,     // approvals were not asked: the policy's denial stands
    kAllowed,    // a redeemed approval or a live grant lets it run
    kRefused,    // a redemption failed; `reason` says why
    kRequested,  // a new pending request; `nonce` and `event_id` set
  };
  Kind kind = Kind::kDenied;
  std::optional<Approval> approval;  // the one cited, redeemed or created
  std::string reason;
  std::string nonce;
  std::string event_id;
};

struct ApprovalPage {
  std::vector<Approval> approvals;
  std::optional<std::int64_t> next_before_seq;  // set when more follow
};

// Approval requests: created by a denied /v1/check, decided by a person,
// redeemed once by the call they bind, expired by the sweeper. Validates
// first (errors name the member), then one store transaction; then the
// listener hears of it. Thread-safe.
class ApprovalService {
 public:
  static constexpr std::size_t kMaxReasonBytes = 500;
  static constexpr std::size_t kMaxPreviewBytes = 256;
  static constexpr std::int64_t kMaxForMinutes = 1440;
  static constexpr std::int64_t kDefaultTtlSeconds = 300;
  static constexpr std::int64_t kMaxTtlSeconds = 86400;
  static constexpr std::size_t kDefaultPageSize = 50;
  static constexpr std::size_t kMaxPageSize = 200;
  // How long after the decision a once-approval may still be redeemed.
  static constexpr UnixMicros kRedeemWindow = 5 * 60 * kMicrosPerSecond;
  // Requests one project may have waiting at once.
  static constexpr std::int64_t kMaxPendingPerProject = 10000;
  // Requests expired per store transaction.
  static constexpr std::size_t kExpiryBatch = 256;

  ApprovalService(ApprovalStore& store, const Clock& clock, ApprovalListener listener = {});

  // kInvalidPayload naming the member for anything out of range.
  static Status validate(const CheckApprovalOptions& options);

  // The approval steps of /v1/check for a call the policy denied: redeem the
  // claim if one is given, else let a live grant through, else ask a person
  // when the caller wants that. Options must have passed validate().
  Result<DenialResolution> resolve_denial(const DeniedCall& call,
                                          const CheckApprovalOptions& options);

  // As it stands now: a pending request past its expiry reads expired.
  // kNotFound for an unknown id or another project's.
  Result<Approval> get(std::int64_t project_rowid, std::string_view id);
  // Newest first; `limit` 1..kMaxPageSize (kInvalidParameter otherwise).
  Result<ApprovalPage> list(std::int64_t project_rowid, std::optional<ApprovalStatus> status,
                            std::optional<std::int64_t> before_seq, std::size_t limit);

  // kConflict, saying what happened first, unless the request is pending.
  Result<Approval> approve(std::int64_t project_rowid, std::string_view id,
                           const ChangeAuthor& decider, std::string reason,
                           std::optional<std::int64_t> for_minutes);
  Result<Approval> deny(std::int64_t project_rowid, std::string_view id,
                        const ChangeAuthor& decider, std::string reason);

  // Marks every pending request past its expiry expired; returns how many.
  Result<std::size_t> expire_due();
  // When the next pending request expires, if any is pending.
  Result<std::optional<UnixMicros>> next_expiry();

  // Whether the request is still waiting for a person at `now`.
  static bool is_pending(const Approval& approval, UnixMicros now);

 private:
  Result<DenialResolution> redeem(const DeniedCall& call, const CheckApprovalOptions& options);
  Result<DenialResolution> request(const DeniedCall& call, const CheckApprovalOptions& options);
  Result<Approval> decide(std::int64_t project_rowid, std::string_view id,
                          ApprovalDecision decision);
  void notify(const Approval& approval) const;

  ApprovalStore& store_;
  const Clock& clock_;
  ApprovalListener listener_;
};

}  // namespace agentsudo::server
