#include "agentsudo/errors.hpp"

namespace agentsudo {

const char* to_string(DenialReason reason) noexcept {
  switch (reason) {
    case DenialReason::kNone:
      return "none";
    case DenialReason::kScopeNotHeld:
      return "scope_not_held";
    case DenialReason::kNoSession:
      return "no_session";
    case DenialReason::kSessionExpired:
      return "session_expired";
    case DenialReason::kRejectedByCallback:
      return "rejected_by_callback";
    case DenialReason::kNoPolicy:
      return "no_policy";
    case DenialReason::kUnknownAgent:
      return "unknown_agent";
    case DenialReason::kApprovalDenied:
      return "approval_denied";
    case DenialReason::kApprovalExpired:
      return "approval_expired";
    case DenialReason::kApprovalTimeout:
      return "approval_timeout";
    case DenialReason::kApprovalUnreachable:
      return "approval_unreachable";
    case DenialReason::kApprovalRefused:
      return "approval_refused";
  }
  return "none";
}

PermissionDenied::PermissionDenied(std::string message, std::string agent_name, std::string scope,
                                   std::vector<std::string> held_scopes, DenialReason reason,
                                   std::string approval_id)
    : Error(message),
      agent_name_(std::move(agent_name)),
      scope_(std::move(scope)),
      held_scopes_(std::move(held_scopes)),
      reason_(reason),
      approval_id_(std::move(approval_id)) {}

GuardrailViolation::GuardrailViolation(std::string rule, std::string reason)
    : Error("guardrail violation (" + rule + "): " + reason),
      rule_(std::move(rule)),
      reason_(std::move(reason)) {}

}  // namespace agentsudo
