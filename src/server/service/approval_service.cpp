#include "server/service/approval_service.hpp"

#include "core/uuid.hpp"
#include "server/service/approval_nonce.hpp"

namespace agentsudo::server {
namespace {

constexpr UnixMicros kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr std::size_t kArgsDigestChars = 64;

Error invalid(std::string member, std::string message) {
  return make_error(ErrorKind::kInvalidPayload, std::move(message), std::move(member));
}

bool is_lowercase_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  }
  return true;
}

Status validate_reason(std::string_view reason) {
  if (reason.size() > ApprovalService::kMaxReasonBytes) {
    return invalid("reason", "reason holds at most " +
                                 std::to_string(ApprovalService::kMaxReasonBytes) + " bytes");
  }
  return {};
}

Status validate_for_minutes(std::optional<std::int64_t> for_minutes) {
  if (for_minutes && (*for_minutes < 1 || *for_minutes > ApprovalService::kMaxForMinutes)) {
    return invalid("for_minutes",
                   "for_minutes must be 1 to " + std::to_string(ApprovalService::kMaxForMinutes));
  }
  return {};
}

std::string quoted(std::string_view text) {
  return text.empty() ? std::string("none") : "\"" + std::string(text) + "\"";
}

// Why an approval does not let this call run, or nothing when it does.
std::optional<std::string> binding_mismatch(const Approval& approval, const DeniedCall& call,
                                            const std::string& args_digest, bool whole_call) {
  std::string what = "approval " + approval.id;
  if (approval.agent_name != call.agent_name)
    return what + " is for agent " + quoted(approval.agent_name) + ", not " +
           quoted(call.agent_name);
  if (approval.scope != call.scope)
    return what + " is for scope " + quoted(approval.scope) + ", not " + quoted(call.scope);
  if (!whole_call)
    return std::nullopt;
  if (approval.function_name != call.function_name)
    return what + " is for function " + quoted(approval.function_name) + ", not " +
           quoted(call.function_name);
  if (approval.args_digest != args_digest)
    return what + " was given for other arguments (args_digest differs)";
  return std::nullopt;
}

// Why an approval, as it stands, cannot be redeemed now; nothing if it may.
std::optional<std::string> unredeemable(const Approval& approval, UnixMicros now) {
  std::string what = "approval " + approval.id;
  if (ApprovalService::is_pending(approval, now))
    return what + " is still pending: nobody has decided it yet";
  if (approval.status == ApprovalStatus::kDenied)
    return what + " was denied by " + approval.decided_by;
  if (approval.status != ApprovalStatus::kApproved)
    return what + " expired at " + format_rfc3339(approval.expires_at) + " undecided";
  if (approval.grant_until) {
    if (*approval.grant_until <= now)
      return what + "'s grant ended at " + format_rfc3339(*approval.grant_until);
    return std::nullopt;
  }
  if (approval.spent_at)
    return what + " was already used at " + format_rfc3339(*approval.spent_at);
  if (now - approval.decided_at > ApprovalService::kRedeemWindow)
    return what + " was approved at " + format_rfc3339(approval.decided_at) +
           "; its 5 minutes to run the call have passed";
  return std::nullopt;
}

DenialResolution refused(std::string reason, std::optional<Approval> approval = std::nullopt) {
  DenialResolution resolution;
  resolution.kind = DenialResolution::Kind::kRefused;
  resolution.reason = std::move(reason);
  resolution.approval = std::move(approval);
  return resolution;
}

DenialResolution allowed(Approval approval) {
  DenialResolution resolution;
  resolution.kind = DenialResolution::Kind::kAllowed;
  resolution.approval = std::move(approval);
  return resolution;
}

}  // namespace

ApprovalService::ApprovalService(ApprovalStore& store, const Clock& clock,
                                 ApprovalListener listener)
    : store_(store), clock_(clock), listener_(std::move(listener)) {}

bool ApprovalService::is_pending(const Approval& approval, UnixMicros now) {
  return approval.status == ApprovalStatus::kPending && approval.expires_at > now;
}

void ApprovalService::notify(const Approval& approval) const {
  if (listener_)
    listener_(approval);
}

Status ApprovalService::validate(const CheckApprovalOptions& options) {
  if (!options.args_digest.empty() &&
      (options.args_digest.size() != kArgsDigestChars || !is_lowercase_hex(options.args_digest))) {
    return invalid("args_digest",
                   "args_digest must be a SHA-256 digest in 64 lowercase hex characters");
  }
  if (options.preview.size() > kMaxPreviewBytes) {
    return invalid("preview",
                   "preview holds at most " + std::to_string(kMaxPreviewBytes) + " bytes");
  }
  if (options.ttl_seconds < 1 || options.ttl_seconds > kMaxTtlSeconds) {
    return invalid("approval_ttl_seconds",
                   "approval_ttl_seconds must be 1 to " + std::to_string(kMaxTtlSeconds));
  }
  if (options.claim && (options.claim->id.empty() || options.claim->nonce.empty()))
    return invalid("approval", "approval needs both id and nonce");
  return {};
}

Result<DenialResolution> ApprovalService::resolve_denial(const DeniedCall& call,
                                                         const CheckApprovalOptions& options) {
  if (options.claim)
    return redeem(call, options);
  if (!options.request_on_denial)
    return DenialResolution{};
  ASSIGN_OR_RETURN(
      auto grant, store_.find_grant(call.project_rowid, call.agent_name, call.scope, clock_.now()));
  if (grant)
    return allowed(std::move(*grant));
  return request(call, options);
}

Result<DenialResolution> ApprovalService::redeem(const DeniedCall& call,
                                                 const CheckApprovalOptions& options) {
  const ApprovalClaim& claim = *options.claim;
  auto found = store_.find_with_nonce(call.project_rowid, claim.id);
  if (!found) {
    if (found.error().kind != ErrorKind::kNotFound)
      return found.take_error();
    return refused("no approval with id " + claim.id + " in this project");
  }
  // The nonce first: without it, nothing about the request is told.
  if (!nonce_matches(claim.nonce, found->nonce_digest))
    return refused("the nonce does not match approval " + claim.id);
  const Approval& approval = found->approval;
  UnixMicros now = clock_.now();
  if (auto why = unredeemable(approval, now))
    return refused(std::move(*why), approval);
  bool once = !approval.grant_until;
  if (auto why = binding_mismatch(approval, call, options.args_digest, once))
    return refused(std::move(*why), approval);
  if (!once)
    return allowed(approval);
  ApprovalBinding binding{call.agent_name, call.scope, call.function_name, options.args_digest};
  ASSIGN_OR_RETURN(auto spent,
                   store_.redeem(call.project_rowid, claim.id, binding, now - kRedeemWindow, now));
  if (!spent)  // another call spent it between our read and our write
    return refused("approval " + claim.id + " was already used", approval);
  return allowed(std::move(*spent));
}

Result<DenialResolution> ApprovalService::request(const DeniedCall& call,
                                                  const CheckApprovalOptions& options) {
  UnixMicros now = clock_.now();
  ApprovalNonce nonce = mint_approval_nonce();
  ApprovalRequestRecord record;
  Approval& approval = record.approval;
  approval.id = make_uuid_v7(now / 1000);
  approval.project_rowid = call.project_rowid;
  approval.agent_name = call.agent_name;
  approval.scope = call.scope;
  approval.function_name = call.function_name;
  approval.args_digest = options.args_digest;
  approval.preview = options.preview;
  approval.denial_reason = call.denial_reason;
  approval.requested_at = now;
  approval.expires_at = now + options.ttl_seconds * kMicrosPerSecond;
  record.nonce_digest = nonce.digest;
  record.policy_version = call.policy_version;
  record.max_pending = kMaxPendingPerProject;
  ASSIGN_OR_RETURN(auto created, store_.create(record));
  notify(created.approval);
  DenialResolution resolution;
  resolution.kind = DenialResolution::Kind::kRequested;
  resolution.approval = std::move(created.approval);
  resolution.nonce = std::move(nonce.plaintext);
  resolution.event_id = std::move(created.event_id);
  return resolution;
}

Result<Approval> ApprovalService::get(std::int64_t project_rowid, std::string_view id) {
  ASSIGN_OR_RETURN(auto approval, store_.find(project_rowid, id));
  if (approval.status == ApprovalStatus::kPending && !is_pending(approval, clock_.now()))
    approval.status = ApprovalStatus::kExpired;
  return approval;
}

Result<ApprovalPage> ApprovalService::list(std::int64_t project_rowid,
                                           std::optional<ApprovalStatus> status,
                                           std::optional<std::int64_t> before_seq,
                                           std::size_t limit) {
  if (limit < 1 || limit > kMaxPageSize) {
    return make_error(ErrorKind::kInvalidParameter,
                      "limit must be 1 to " + std::to_string(kMaxPageSize), "limit");
  }
  UnixMicros now = clock_.now();
  // One more than asked tells whether another page follows.
  ASSIGN_OR_RETURN(auto rows, store_.list({project_rowid, status, now, before_seq, limit + 1}));
  ApprovalPage page;
  if (rows.size() > limit) {
    rows.pop_back();
    page.next_before_seq = rows.back().seq;
  }
  for (auto& row : rows) {
    if (row.approval.status == ApprovalStatus::kPending && !is_pending(row.approval, now))
      row.approval.status = ApprovalStatus::kExpired;
    page.approvals.push_back(std::move(row.approval));
  }
  return page;
}

Result<Approval> ApprovalService::approve(std::int64_t project_rowid, std::string_view id,
                                          const ChangeAuthor& decider, std::string reason,
                                          std::optional<std::int64_t> for_minutes) {
  RETURN_IF_ERROR(validate_reason(reason));
  RETURN_IF_ERROR(validate_for_minutes(for_minutes));
  ApprovalDecision decision;
  decision.approve = true;
  decision.decided_by = decider.name;
  decision.reason = std::move(reason);
  decision.decided_at = clock_.now();
  decision.for_minutes = for_minutes;
  if (for_minutes)
    decision.grant_until = decision.decided_at + *for_minutes * kMicrosPerMinute;
  return decide(project_rowid, id, std::move(decision));
}

Result<Approval> ApprovalService::deny(std::int64_t project_rowid, std::string_view id,
                                       const ChangeAuthor& decider, std::string reason) {
  RETURN_IF_ERROR(validate_reason(reason));
  ApprovalDecision decision;
  decision.decided_by = decider.name;
  decision.reason = std::move(reason);
  decision.decided_at = clock_.now();
  return decide(project_rowid, id, std::move(decision));
}

Result<Approval> ApprovalService::decide(std::int64_t project_rowid, std::string_view id,
                                         ApprovalDecision decision) {
  if (!is_canonical_uuid(id))
    return make_error(ErrorKind::kNotFound, "no approval with id " + std::string(id));
  ASSIGN_OR_RETURN(auto approval, store_.decide(project_rowid, id, decision));
  notify(approval);
  return approval;
}

Result<std::size_t> ApprovalService::expire_due() {
  std::size_t total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto expired, store_.expire_due(clock_.now(), kExpiryBatch));
    for (const auto& approval : expired)
      notify(approval);
    total += expired.size();
    if (expired.size() < kExpiryBatch)
      return total;
  }
}

Result<std::optional<UnixMicros>> ApprovalService::next_expiry() {
  return store_.earliest_pending_expiry();
}

}  // namespace agentsudo::server
