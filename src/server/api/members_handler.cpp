#include "server/api/members_handler.hpp"

#include "server/api/json_members.hpp"
#include "server/api/request_body.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/resource_json.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

// The email as sent; the service normalizes and checks it.
Result<std::string> read_email(const http::Request& request) {
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"email"}));
  return members.required_string("email");
}

}  // namespace

std::vector<ResourceRoute<MembersHandler>> MembersHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/projects/{project_id}/members", kSmallBody, Access::kProject,
            &MembersHandler::list),
      route(Verb::post, "/api/v1/projects/{project_id}/members", kSmallBody, Access::kProject,
            &MembersHandler::add),
      route(Verb::delete_, "/api/v1/projects/{project_id}/members/{user_id}", kSmallBody,
            Access::kProject, &MembersHandler::remove),
  };
}

MembersHandler::MembersHandler(AccessControl& access, MemberService& members)
    : access_(access), members_(members) {}

Result<http::Response> MembersHandler::list(const http::Request& request,
                                            std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto members, members_.list(target.project.rowid));
  json::array list;
  for (const auto& user : members)
    list.push_back(user_json(user));
  return json_response(200, json::object{{"members", std::move(list)}}, request.version());
}

Result<http::Response> MembersHandler::add(const http::Request& request,
                                           std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto email, read_email(request));
  ASSIGN_OR_RETURN(auto user, members_.add(target.project.rowid, email));
  return json_response(201, user_json(user), request.version());
}

Result<http::Response> MembersHandler::remove(const http::Request& request,
                                              std::string_view project_id,
                                              std::string_view user_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  RETURN_IF_ERROR(members_.remove(target.project.rowid, user_id));
  return no_content(request.version());
}

}  // namespace agentsudo::server::api
