#pragma once

#include <string_view>

#include "agentsudo/errors.hpp"
#include "sdk/session_state.hpp"

namespace agentsudo {

// The exception for a refused call: it names the agent, the scope and the
// scopes held, or says how to start a session when `session` is null.
PermissionDenied make_permission_denied(const detail::SessionPtr* session, std::string_view scope,
                                        DenialReason reason);

}  // namespace agentsudo
