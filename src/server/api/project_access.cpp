#include "server/api/project_access.hpp"

#include <sodium.h>

#include "server/api/request_credentials.hpp"
#include "server/auth/secret.hpp"

namespace agentsudo::server::api {
namespace {

// Per-caller limits count each management token on its own (by digest) and
// each person by user id.
std::string caller_of(const Principal& principal, const http::Request& request) {
  if (!principal.is_operator())
    return principal.label();
  std::string_view authorization = request[http::Field::authorization];
  SecretDigest digest = digest_secret(authorization.substr(authorization.find(' ') + 1));
  char hex[digest.size() * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest.data(), digest.size());
  return std::string("token:") + hex;
}

}  // namespace

// The accounts access layer decides: a management token reads every project,
// a person (session cookie, with X-CSRF-Token for a change) only theirs.
Result<ProjectAccess> authorize_project_read(AccessControl& access, const http::Request& request,
                                             std::string_view project_id) {
  auto principal = authenticate(access, request);
  if (!principal)
    return principal.take_error();
  auto project = access.visible_project(*principal, project_id);
  if (!project)
    return project.take_error();
  return ProjectAccess{std::move(*project), caller_of(*principal, request)};
}

}  // namespace agentsudo::server::api
