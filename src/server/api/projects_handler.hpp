#pragma once

#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/store/account_store.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// /api/v1/projects and /api/v1/projects/{project_id}: the projects the
// caller may see, and their name and tier. Thread-safe.
class ProjectsHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<ProjectsHandler>> routes();

  ProjectsHandler(AccessControl& access, ProjectStore& projects, AccountStore& accounts);

  http::Response list(const http::Request& request);
  // The creator (a person) becomes the project's first member.
  http::Response create(const http::Request& request);
  http::Response get(const http::Request& request, std::string_view project_id);
  http::Response update(const http::Request& request, std::string_view project_id);
  // Needs {"confirm": "<the project's name>"}, as the dashboard asks for it.
  http::Response remove(const http::Request& request, std::string_view project_id);

 private:
  AccessControl& access_;
  ProjectStore& projects_;
  AccountStore& accounts_;
};

}  // namespace agentsudo::server::api
