#include "server/api/project_access.hpp"

#include "server/api/request_credentials.hpp"

namespace agentsudo::server::api {

Result<ProjectAccess> authorize_project_read(AccessControl& access, const http::Request& request,
                                             std::string_view project_id) {
  auto granted = authorize_project(access, request, project_id);
  if (!granted)
    return granted.take_error();
  return ProjectAccess{std::move(granted->project), std::move(granted->principal.subject)};
}

}  // namespace agentsudo::server::api
