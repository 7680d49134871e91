#pragma once

#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/service/project_service.hpp"

namespace agentsudo::server::api {

// /api/v1/projects and /api/v1/projects/{project_id}: the projects the
// caller may see, and their name and tier. Thread-safe.
class ProjectsHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<ProjectsHandler>> routes();

  ProjectsHandler(AccessControl& access, ProjectService& projects);

  Result<http::Response> list(const http::Request& request);
  // The creator (a person) becomes the project's first member.
  Result<http::Response> create(const http::Request& request);
  Result<http::Response> get(const http::Request& request, std::string_view project_id);
  Result<http::Response> update(const http::Request& request, std::string_view project_id);
  // Needs {"confirm": "<the project's name>"}, as the dashboard asks for it.
  Result<http::Response> remove(const http::Request& request, std::string_view project_id);

 private:
  AccessControl& access_;
  ProjectService& projects_;
};

}  // namespace agentsudo::server::api
