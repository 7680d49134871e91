#pragma once

#include <string_view>

#include "agentsudo/errors.hpp"
#include "sdk/managed_decision.hpp"
#include "sdk/session_state.hpp"

namespace agentsudo {

// The exception for a refused call: it names the agent, the scope and the
// scopes held, or says how to start a session when `session` is null.
PermissionDenied make_permission_denied(const detail::SessionPtr* session, std::string_view scope,
                                        DenialReason reason);

// The same for a managed agent, from what its check read: the policy
// version and scopes, or that no policy has arrived yet, or that the
// server's policy does not list the agent.
PermissionDenied make_managed_permission_denied(const Agent& agent, std::string_view scope,
                                                const detail::ManagedDecision& decision,
                                                DenialReason reason);

// The exception for a call approval mode did not let run: it names the
// agent and the scope, says which failure ended it (`detail`, from the
// approval flow) and carries the approval id. `held` are the scopes held.
PermissionDenied make_approval_permission_denied(const Agent& agent, std::string_view scope,
                                                 std::vector<std::string> held, DenialReason reason,
                                                 std::string approval_id,
                                                 const std::string& detail);

}  // namespace agentsudo
