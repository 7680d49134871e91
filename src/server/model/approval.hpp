#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/timestamp.hpp"

namespace agentsudo::server {

enum class ApprovalStatus { kPending, kApproved, kDenied, kExpired };

inline const char* to_string(ApprovalStatus status) {
  switch (status) {
    case ApprovalStatus::kApproved:
      return "approved";
    case ApprovalStatus::kDenied:
      return "denied";
    case ApprovalStatus::kExpired:
      return "expired";
    case ApprovalStatus::kPending:
      break;
  }
  return "pending";
}

// A request that a person let one denied call run, bound to that exact call:
// project, agent, scope, function and a digest of its arguments. Only the
// requester holds its single-use nonce (the store keeps a digest of it).
struct Approval {
  std::string id;  // public, UUIDv7
  std::int64_t project_rowid = 0;
  std::string project_id;  // the project's public uuid
  std::string agent_name;
  std::string scope;
  std::string function_name;  // empty when the caller named none
  std::string args_digest;    // lowercase hex SHA-256, or empty
  std::string preview;        // the caller's short, redacted preview, or empty
  std::string denial_reason;  // why the check said no
  ApprovalStatus status = ApprovalStatus::kPending;
  UnixMicros requested_at = 0;
  UnixMicros expires_at = 0;
  std::string decided_by;       // a user's email or "operator"; empty while pending
  UnixMicros decided_at = 0;    // 0 while pending
  std::string decision_reason;  // the decider's words, or empty
  // "Approve for N minutes": until then the agent holds the scope for any
  // call that asks for approval. Unset for a once-only approval.
  std::optional<UnixMicros> grant_until;
  std::optional<UnixMicros> spent_at;  // a once-only approval its call used
};

}  // namespace agentsudo::server
