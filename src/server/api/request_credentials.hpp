#pragma once

#include <string_view>

#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/model/policy.hpp"

namespace agentsudo::server::api {

inline constexpr std::string_view kSessionCookie = "agentsudo_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// The value of cookie `name` in a Cookie header, or empty.
std::string_view cookie_value(std::string_view cookie_header, std::string_view name);

// What the request presents to AccessControl; views into the request.
PresentedCredentials credentials_of(const http::Request& request);

// The entry point of every management handler: who is asking, or the error
// to answer with.
Result<Principal> authenticate(AccessControl& access, const http::Request& request);

// Who a policy change or an approval decision names: the signed-in person's
// email, or "operator" for a management token. Never from a request body.
ChangeAuthor author_of(const Principal& principal);

// Who is asking about a project, and the project, once both are checked.
struct ProjectRequest {
  Principal principal;
  Project project;
};

// The entry point of every project-scoped route: authenticates the request,
// then resolves the project if the caller may see it (kNotFound otherwise,
// exactly as for a project that does not exist).
Result<ProjectRequest> authorize_project(AccessControl& access, const http::Request& request,
                                         std::string_view project_id);

}  // namespace agentsudo::server::api
