#pragma once

#include <string>
#include <string_view>

#include "server/auth/access_control.hpp"
#include "server/error.hpp"
#include "server/http/message.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// Who is asking, and the project they may read.
struct ProjectAccess {
  Project project;
  // The caller's Principal::subject (a user, or one management token), for
  // per-caller limits such as the live-stream cap; never shown.
  std::string principal;
};

// Authenticates the request (AccessControl: token or session cookie, CSRF
// for changes) and resolves the project it names: 401/403 as the credentials
// say, 404 for a project that does not exist or that the caller may not see.
// The one place the analytics, export and live routes ask who may read.
Result<ProjectAccess> authorize_project_read(AccessControl& access, const http::Request& request,
                                             std::string_view project_id);

}  // namespace agentsudo::server::api
