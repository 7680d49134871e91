#include "server/api/project_access.hpp"

#include <sodium.h>

#include "server/api/request_credentials.hpp"
#include "server/auth/secret.hpp"

namespace agentsudo::server::api {
namespace {

// Operators are one kind of principal, but each management token gets its
// own limits: it is named by a digest of the token.
std::string principal_key(const Principal& principal, const http::Request& request) {
  if (!principal.is_operator())
    return principal.label();
  std::string_view authorization = request[http::Field::authorization];
  SecretDigest digest = digest_secret(authorization.substr(authorization.find(' ') + 1));
  char hex[digest.size() * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest.data(), digest.size());
  return std::string("token:") + hex;
}

}  // namespace

Result<ProjectAccess> authorize_project_read(AccessControl& access, const http::Request& request,
                                             std::string_view project_id) {
  auto principal = authenticate(access, request);
  if (!principal)
    return principal.take_error();
  auto project = access.visible_project(*principal, project_id);
  if (!project)
    return project.take_error();
  return ProjectAccess{std::move(*project), principal_key(*principal, request)};
}

}  // namespace agentsudo::server::api
