#include "server/api/projects_handler.hpp"

#include "server/api/json_members.hpp"
#include "server/api/request_body.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/resource_json.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

// `tier` as the CLI's --tier takes it: "free", "pro", or a number of events per day.
Result<Tier> read_tier(const json::value& value) {
  if (value.is_string())
    return parse_tier(value.get_string());
  if (value.is_int64())
    return custom_tier(value.get_int64());
  return invalid_tier();
}

// `retention_days`: a whole number (the service checks its range) or null.
Result<std::optional<std::int64_t>> read_retention_days(const json::value& value) {
  if (value.is_null())
    return std::optional<std::int64_t>();
  if (value.is_int64())
    return std::optional<std::int64_t>(value.get_int64());
  if (value.is_uint64())  // beyond int64: out of range either way
    return std::optional<std::int64_t>(kMaxRetentionDays + 1);
  return invalid_member("retention_days",
                        "retention_days must be a whole number of days, or null to keep "
                        "everything");
}

// The changes a create or update body asks for, decoded; the service
// checks the values.
Result<ProjectChanges> read_changes(const http::Request& request, bool name_required) {
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"name", "tier", "retention_days"}));
  ProjectChanges changes;
  if (name_required || members.has("name")) {
    ASSIGN_OR_RETURN(changes.name, members.required_string("name"));
  }
  if (const auto* tier = members.find("tier")) {
    auto parsed = read_tier(*tier);
    if (!parsed)
      return as_body_error(parsed.take_error());
    changes.tier = std::move(*parsed);
  }
  if (const auto* retention = members.find("retention_days")) {
    ASSIGN_OR_RETURN(auto days, read_retention_days(*retention));
    changes.retention_days = days;
  }
  return changes;
}

// A service's answer to a body: its rules speak of parameters, here members.
template <class T>
Result<T> from_body(Result<T> result) {
  if (!result)
    return as_body_error(result.take_error());
  return result;
}

}  // namespace

std::vector<ResourceRoute<ProjectsHandler>> ProjectsHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/projects", kSmallBody, Access::kUser, &ProjectsHandler::list),
      route(Verb::post, "/api/v1/projects", kSmallBody, Access::kUser, &ProjectsHandler::create),
      route(Verb::get, "/api/v1/projects/{project_id}", kSmallBody, Access::kProject,
            &ProjectsHandler::get),
      route(Verb::patch, "/api/v1/projects/{project_id}", kSmallBody, Access::kProject,
            &ProjectsHandler::update),
      route(Verb::delete_, "/api/v1/projects/{project_id}", kSmallBody, Access::kProject,
            &ProjectsHandler::remove),
  };
}

ProjectsHandler::ProjectsHandler(AccessControl& access, ProjectService& projects)
    : access_(access), projects_(projects) {}

Result<http::Response> ProjectsHandler::list(const http::Request& request) {
  ASSIGN_OR_RETURN(auto principal, authenticate(access_, request));
  ASSIGN_OR_RETURN(auto projects, access_.visible_projects(principal));
  json::array list;
  for (const auto& project : projects)
    list.push_back(project_json(project));
  return json_response(200, json::object{{"projects", std::move(list)}}, request.version());
}

Result<http::Response> ProjectsHandler::create(const http::Request& request) {
  ASSIGN_OR_RETURN(auto principal, authenticate(access_, request));
  ASSIGN_OR_RETURN(auto changes, read_changes(request, true));
  if (changes.retention_days) {
    return invalid_member("retention_days",
                          "set retention_days with PATCH once the project exists");
  }
  Tier tier = changes.tier.value_or(Tier{"free", kFreeDailyQuota});
  RETURN_IF_ERROR(access_.authorize_new_project(principal, tier));
  std::optional<std::int64_t> creator;
  if (principal.user)
    creator = principal.user->rowid;
  ASSIGN_OR_RETURN(auto created, from_body(projects_.create(*changes.name, tier, creator)));
  return json_response(201,
                       json::object{{"project", project_json(created.project)},
                                    {"key", key_json(created.key.record)},
                                    {"api_key", created.key.plaintext}},
                       request.version());
}

Result<http::Response> ProjectsHandler::get(const http::Request& request,
                                            std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  return json_response(200, project_json(target.project), request.version());
}

Result<http::Response> ProjectsHandler::update(const http::Request& request,
                                               std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto changes, read_changes(request, false));
  RETURN_IF_ERROR(access_.authorize_project_change(target.principal, changes));
  ASSIGN_OR_RETURN(auto project, from_body(projects_.update(target.project.id, changes)));
  return json_response(200, project_json(project), request.version());
}

Result<http::Response> ProjectsHandler::remove(const http::Request& request,
                                               std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  if (request.body().empty())
    return invalid_member("confirm", "confirm is required: send {\"confirm\": \"<project name>\"}");
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"confirm"}));
  ASSIGN_OR_RETURN(auto confirm, members.required_string("confirm"));
  RETURN_IF_ERROR(projects_.remove(target.project, confirm));
  return no_content(request.version());
}

}  // namespace agentsudo::server::api
