#pragma once

#include <string>

#include "agentsudo/approval.hpp"
#include "agentsudo/errors.hpp"
#include "sdk/approval_wire.hpp"
#include "sdk/server_connection.hpp"

namespace agentsudo {

// How one approval flow ended.
struct ApprovalOutcome {
  bool allowed = false;
  // Why not, when not allowed.
  DenialReason reason = DenialReason::kNone;
  // The request concerned; empty when none was created.
  std::string approval_id;
  // What happened, for the PermissionDenied message ("approval 01… was
  // denied by a@b.c: too large").
  std::string detail;
  // True when the SDK gave up on its own (timeout, server unreachable): the
  // server has no record of that, so the guard records a local event.
  bool gave_up_locally = false;
};

// Asks the server to decide `call` in approval mode and, when it creates a
// request, waits for a person's decision with long-polls of
// GET /v1/approvals/{id}, reconnecting with backoff while the server is
// unreachable, then redeems an approval. Blocks the calling thread (never
// spinning) until an outcome or `options.timeout`. Opens on no failure.
// Thread-safe: each call uses its own connection. Throws only
// std::bad_alloc.
ApprovalOutcome run_approval_flow(const ApprovalCall& call, const ServerConnection& connection,
                                  const ApprovalOptions& options);

}  // namespace agentsudo
