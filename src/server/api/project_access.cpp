#include "server/api/project_access.hpp"

#include "server/api/request_credentials.hpp"

namespace agentsudo::server::api {

Result<ProjectAccess> authorize_project_read(AccessControl& access, const http::Request& request,
                                             std::string_view project_id) {
  auto principal = authenticate(access, request);
  if (!principal)
    return principal.take_error();
  auto project = access.visible_project(*principal, project_id);
  if (!project)
    return project.take_error();
  return ProjectAccess{std::move(*project), principal->subject};
}

}  // namespace agentsudo::server::api
