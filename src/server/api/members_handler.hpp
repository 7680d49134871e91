#pragma once

#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/service/member_service.hpp"

namespace agentsudo::server::api {

// /api/v1/projects/{project_id}/members: who may see and manage a project.
// Any member may add an existing user by email or remove a member.
// Thread-safe.
class MembersHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<MembersHandler>> routes();

  MembersHandler(AccessControl& access, MemberService& members);

  Result<http::Response> list(const http::Request& request, std::string_view project_id);
  Result<http::Response> add(const http::Request& request, std::string_view project_id);
  Result<http::Response> remove(const http::Request& request, std::string_view project_id,
                                std::string_view user_id);

 private:
  AccessControl& access_;
  MemberService& members_;
};

}  // namespace agentsudo::server::api
