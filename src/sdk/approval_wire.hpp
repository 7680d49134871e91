#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentsudo {

// The denied call an approval request is about, as POST /v1/check sends it.
struct ApprovalCall {
  std::string agent_name;
  std::string scope;
  std::string function_name;  // Empty: none.
  std::string session_id;
  std::string args_digest;  // Lowercase hex SHA-256; empty: none.
  std::string preview;      // Empty: none.
  std::int64_t ttl_seconds = 300;
};

// What redeems an approved request: its id and the nonce only the requester
// received.
struct ApprovalTicket {
  std::string id;
  std::string nonce;
};

// The body of POST /v1/check in approval mode; with `redeem`, the
// redemption of that approval.
std::string check_request_json(const ApprovalCall& call, const ApprovalTicket* redeem);

// A 200 answer of POST /v1/check.
struct CheckAnswer {
  enum class Kind {
    kAllowed,            // The call may run (policy, grant or redeemed approval).
    kApprovalRequested,  // A pending request was created.
    kDenied,             // Any other denial (reason says why).
  };
  Kind kind = Kind::kDenied;
  // The request created (kApprovalRequested) or the approval that allowed.
  std::string approval_id;
  std::string nonce;
  std::string expires_at;
  // The server's sentence for a denial.
  std::string reason;
};

// Nullopt when `body` is not a check answer.
std::optional<CheckAnswer> parse_check_answer(std::string_view body);

// A 200 answer of GET /v1/approvals/{id}.
struct ApprovalStatusAnswer {
  std::string status;  // pending, approved, denied or expired.
  std::string decided_by;
  std::string reason;  // The decider's.
  std::string expires_at;
};

// Nullopt when `body` is not an approval's status.
std::optional<ApprovalStatusAnswer> parse_status_answer(std::string_view body);

}  // namespace agentsudo
