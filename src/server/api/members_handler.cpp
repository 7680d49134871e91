#include "server/api/members_handler.hpp"

#include "core/uuid.hpp"
#include "server/api/json_members.hpp"
#include "server/api/request_body.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/resource_json.hpp"
#include "server/api/responses.hpp"
#include "server/auth/email_address.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

Result<std::string> read_email(const http::Request& request) {
  auto body = parse_json_body(request);
  if (!body)
    return body.take_error();
  auto members = JsonMembers::of(*body, {"email"});
  if (!members)
    return members.take_error();
  auto email = members->required_string("email");
  if (!email)
    return email;
  return normalize_email(*email);
}

Error no_such_member(std::string_view user_id) {
  return make_error(ErrorKind::kNotFound, "no member with id " + std::string(user_id));
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

MembersHandler::MembersHandler(AccessControl& access, AccountStore& accounts)
    : access_(access), accounts_(accounts) {}

http::Response MembersHandler::list(const http::Request& request, std::string_view project_id) {
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), request.version());
  auto members = accounts_.members_of(target->project.rowid);
  if (!members)
    return error_response(members.error(), request.version());
  json::array list;
  for (const auto& user : *members)
    list.push_back(user_json(user));
  return json_response(200, json::object{{"members", std::move(list)}}, request.version());
}

http::Response MembersHandler::add(const http::Request& request, std::string_view project_id) {
  unsigned version = request.version();
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), version);
  auto email = read_email(request);
  if (!email)
    return error_response(email.error(), version);
  auto user = accounts_.find_user_by_email(*email);
  if (!user) {
    if (user.error().kind != ErrorKind::kNotFound)
      return error_response(user.error(), version);
    return error_response(
        invalid_member("email", "no user has this email; an admin creates users first"), version);
  }
  if (auto added = accounts_.add_member(target->project.rowid, user->user.rowid); !added)
    return error_response(added.error(), version);
  return json_response(201, user_json(user->user), version);
}

http::Response MembersHandler::remove(const http::Request& request, std::string_view project_id,
                                      std::string_view user_id) {
  unsigned version = request.version();
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), version);
  if (!is_canonical_uuid(user_id))
    return error_response(no_such_member(user_id), version);
  auto user = accounts_.find_user(user_id);
  if (!user) {
    return error_response(
        user.error().kind == ErrorKind::kNotFound ? no_such_member(user_id) : user.error(),
        version);
  }
  if (auto removed = accounts_.remove_member(target->project.rowid, user->rowid); !removed)
    return error_response(removed.error(), version);
  return no_content(version);
}

}  // namespace agentsudo::server::api
