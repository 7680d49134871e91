#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace agentsudo {

// Why a permission check said no.
enum class DenialReason {
  kNone,                // The check granted.
  kScopeNotHeld,        // The agent holds no scope matching the required one.
  kNoSession,           // The calling thread runs no session.
  kSessionExpired,      // The session is past its agent's TTL.
  kRejectedByCallback,  // The approval callback said no.
  kNoPolicy,            // A managed agent before any policy arrived.
  kUnknownAgent,        // A managed agent the server's policy does not list.
  // Approval mode (OnDenial::kApproval): why no approval let the call run.
  kApprovalDenied,       // A person denied the approval request.
  kApprovalExpired,      // The request expired on the server before anyone decided.
  kApprovalTimeout,      // ApprovalOptions::timeout passed before a decision.
  kApprovalUnreachable,  // The server could not be reached (and stayed so until the timeout).
  kApprovalRefused,      // The server answered but refused: an error status, a
                         // denial without a request, or a failed redemption.
};

// The reason's name as it appears in messages and event metadata
// ("scope_not_held", "no_session", "no_policy", "unknown_agent",
// "approval_denied", "approval_expired", "approval_timeout",
// "approval_unreachable", "approval_refused"...).
const char* to_string(DenialReason reason) noexcept;

// Base of every exception the SDK throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The SDK was set up wrongly: an invalid agent name, a regex that does not
// compile, telemetry without an API key. Thrown by constructors and configure
// functions, never by a check.
class ConfigurationError : public Error {
 public:
  using Error::Error;
};

// A guarded call was refused. what() names the agent, the scope and the scopes
// held, or says how to start a session when there was none; for a managed
// agent, also the policy version, or that no policy has arrived yet, or that
// the server does not know the agent. In approval mode, it says which
// failure ended the wait and names the approval request.
class PermissionDenied : public Error {
 public:
  PermissionDenied(std::string message, std::string agent_name, std::string scope,
                   std::vector<std::string> held_scopes, DenialReason reason,
                   std::string approval_id = {});

  // Empty when there was no session.
  const std::string& agent_name() const noexcept { return agent_name_; }
  const std::string& scope() const noexcept { return scope_; }
  const std::vector<std::string>& held_scopes() const noexcept { return held_scopes_; }
  DenialReason reason() const noexcept { return reason_; }
  // The approval request the denial concerns; empty outside approval mode
  // and when no request was created (server unreachable from the start).
  const std::string& approval_id() const noexcept { return approval_id_; }

 private:
  std::string agent_name_;
  std::string scope_;
  std::vector<std::string> held_scopes_;
  DenialReason reason_;
  std::string approval_id_;
};

// An input or output broke a guardrail whose policy is to raise. The message
// names the rule and the reason, never the text itself.
class GuardrailViolation : public Error {
 public:
  GuardrailViolation(std::string rule, std::string reason);

  // "prompt_injection", "blocked_pattern", "blocked_keyword", "off_topic",
  // "input_validator" or "output_validator".
  const std::string& rule() const noexcept { return rule_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string rule_;
  std::string reason_;
};

}  // namespace agentsudo
