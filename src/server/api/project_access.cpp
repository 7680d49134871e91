#include "server/api/project_access.hpp"

#include <sodium.h>

#include "core/uuid.hpp"
#include "server/auth/credentials.hpp"
#include "server/auth/secret.hpp"

namespace agentsudo::server::api {

// Until user sessions exist, a management token is the only reader: the
// principal is its digest.
Result<ProjectAccess> authorize_project_read(ProjectStore& projects, const http::Request& request,
                                             std::string_view project_id) {
  std::string_view authorization = request[http::Field::authorization];
  if (auto auth = authenticate_management_token(projects, authorization); !auth)
    return auth.error();
  if (!is_canonical_uuid(project_id))
    return make_error(ErrorKind::kNotFound, "no project with id " + std::string(project_id));
  auto project = projects.find_project(project_id);
  if (!project)
    return project.take_error();
  SecretDigest digest = digest_secret(authorization.substr(authorization.find(' ') + 1));
  char hex[digest.size() * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest.data(), digest.size());
  return ProjectAccess{std::move(*project), std::string("token:") + hex};
}

}  // namespace agentsudo::server::api
