#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agentsudo/errors.hpp"
#include "core/timestamp.hpp"
#include "sdk/guard_site.hpp"
#include "sdk/session_state.hpp"

namespace agentsudo {

// The event actions of the original SDK, plus guardrail violations.
enum class EventAction : std::uint8_t {
  kPermissionCheck,
  kPermissionDenied,
  kAuditViolation,
  kCallbackApproved,
  kCallbackDenied,
  kGuardrailViolation,
};

// The action's wire name ("permission_check"...).
const char* to_string(EventAction action) noexcept;

// What a guardrail_violation event adds: the rule broken, why, and the
// start of the text (never all of it).
struct GuardrailDetail {
  std::string rule;
  std::string reason;
  std::string text_preview;
};

// What a denial the SDK decided on its own in approval mode adds (timeout,
// server unreachable): the request it waited for.
struct ApprovalDetail {
  // Empty when no request was created.
  std::string approval_id;
};

// What a managed agent's decision adds: the policy it was taken under,
// copied from the snapshot the check used (so the event never outlives it).
struct PolicyStamp {
  // -1 when no policy had arrived yet.
  std::int64_t version = -1;
  // The held scope that granted; empty when denied.
  std::string matched;
  // The policy's role for the agent; empty without one.
  std::string role;
};

// One decision as captured on the deciding thread: a clock read and shared
// references, no formatting. Sinks turn it into JSON later, the telemetry
// client on its own thread.
struct EventRecord {
  UnixMicros timestamp = 0;
  EventAction action = EventAction::kPermissionCheck;
  bool allowed = false;
  DenialReason reason = DenialReason::kNone;
  // Null when no session was running.
  detail::SessionPtr session;
  // The guarded place; null for check() and guardrail events.
  std::shared_ptr<const detail::GuardSite> site;
  // The scope of a check() (sites carry their own).
  std::string check_scope;
  // Set for guardrail_violation events only; kept out of line so that the
  // records of permission checks stay small.
  std::unique_ptr<const GuardrailDetail> guardrail;
  // Set for approval mode's local denials only, out of line for the same reason.
  std::unique_ptr<const ApprovalDetail> approval;
  // Set for managed agents' decisions only.
  std::optional<PolicyStamp> policy;
  // The event's number within its telemetry client (1, 2, ...), given when
  // the client is handed the event, dropped or not; 0 before.
  std::uint64_t sequence = 0;

  std::optional<std::string_view> scope() const noexcept {
    if (site)
      return site->scope;
    if (action == EventAction::kGuardrailViolation)
      return std::nullopt;
    return check_scope;
  }
  std::optional<std::string_view> function_name() const noexcept {
    if (site && !site->function_name.empty())
      return site->function_name;
    return std::nullopt;
  }
};

}  // namespace agentsudo
