#include "server/api/projects_handler.hpp"

#include "server/admin/provisioning.hpp"
#include "server/api/json_members.hpp"
#include "server/api/request_body.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/resource_json.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

// Rules shared with the CLI speak of parameters; in a body they are members.
Error as_body_error(Error error) {
  if (error.kind == ErrorKind::kInvalidParameter)
    error.kind = ErrorKind::kInvalidPayload;
  return error;
}

// `tier` as the CLI's --tier takes it: "free", "pro", or a positive integer.
Result<Tier> read_tier(const json::value& value) {
  if (value.is_string())
    return parse_tier(value.get_string());
  if (value.is_int64() || value.is_uint64()) {
    auto quota = value.is_int64() ? value.get_int64() : -1;
    if (quota > 0)
      return Tier{"custom", quota};
  }
  return make_error(ErrorKind::kInvalidPayload,
                    "tier must be \"free\", \"pro\", or a positive number of events per day",
                    "tier");
}

// The changes a create or update body asks for, validated before any is made.
struct ProjectChanges {
  std::optional<std::string> name;
  std::optional<Tier> tier;
};

Result<ProjectChanges> read_changes(const http::Request& request, bool name_required) {
  auto body = parse_json_body(request);
  if (!body)
    return body.take_error();
  auto members = JsonMembers::of(*body, {"name", "tier"});
  if (!members)
    return members.take_error();
  ProjectChanges changes;
  if (name_required || members->has("name")) {
    auto name = members->required_string("name");
    if (!name)
      return name.take_error();
    if (auto valid = validate_project_name(*name); !valid)
      return as_body_error(valid.error());
    changes.name = std::move(*name);
  }
  if (const auto* tier = members->find("tier")) {
    auto parsed = read_tier(*tier);
    if (!parsed)
      return as_body_error(parsed.take_error());
    changes.tier = std::move(*parsed);
  }
  return changes;
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

ProjectsHandler::ProjectsHandler(AccessControl& access, ProjectStore& projects,
                                 AccountStore& accounts)
    : access_(access), projects_(projects), accounts_(accounts) {}

http::Response ProjectsHandler::list(const http::Request& request) {
  auto principal = authenticate(access_, request);
  if (!principal)
    return error_response(principal.error(), request.version());
  auto projects = access_.visible_projects(*principal);
  if (!projects)
    return error_response(projects.error(), request.version());
  json::array list;
  for (const auto& project : *projects)
    list.push_back(project_json(project));
  return json_response(200, json::object{{"projects", std::move(list)}}, request.version());
}

http::Response ProjectsHandler::create(const http::Request& request) {
  unsigned version = request.version();
  auto principal = authenticate(access_, request);
  if (!principal)
    return error_response(principal.error(), version);
  auto changes = read_changes(request, true);
  if (!changes)
    return error_response(changes.error(), version);
  auto created = create_project_with_key(projects_, *changes->name,
                                         changes->tier.value_or(Tier{"free", kFreeDailyQuota}));
  if (!created)
    return error_response(created.error(), version);
  if (principal->user) {
    if (auto joined = accounts_.add_member(created->project.rowid, principal->user->rowid);
        !joined) {
      return error_response(joined.error(), version);
    }
  }
  return json_response(201,
                       json::object{{"project", project_json(created->project)},
                                    {"key", key_json(created->key.record)},
                                    {"api_key", created->key.plaintext}},
                       version);
}

http::Response ProjectsHandler::get(const http::Request& request, std::string_view project_id) {
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), request.version());
  return json_response(200, project_json(target->project), request.version());
}

http::Response ProjectsHandler::update(const http::Request& request, std::string_view project_id) {
  unsigned version = request.version();
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), version);
  auto changes = read_changes(request, false);
  if (!changes)
    return error_response(changes.error(), version);
  if (changes->name) {
    if (auto renamed = projects_.rename_project(project_id, *changes->name); !renamed)
      return error_response(renamed.error(), version);
  }
  if (changes->tier) {
    if (auto set = projects_.set_tier(project_id, *changes->tier); !set)
      return error_response(set.error(), version);
  }
  auto project = projects_.find_project(project_id);
  if (!project)
    return error_response(project.error(), version);
  return json_response(200, project_json(*project), version);
}

http::Response ProjectsHandler::remove(const http::Request& request, std::string_view project_id) {
  unsigned version = request.version();
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), version);
  if (request.body().empty()) {
    return error_response(
        invalid_member("confirm", "confirm is required: send {\"confirm\": \"<project name>\"}"),
        version);
  }
  auto body = parse_json_body(request);
  if (!body)
    return error_response(body.error(), version);
  auto members = JsonMembers::of(*body, {"confirm"});
  if (!members)
    return error_response(members.error(), version);
  auto confirm = members->required_string("confirm");
  if (!confirm)
    return error_response(confirm.error(), version);
  if (*confirm != target->project.name) {
    return error_response(invalid_member("confirm", "confirm must be the project's name, exactly"),
                          version);
  }
  if (auto removed = projects_.delete_project(project_id); !removed)
    return error_response(removed.error(), version);
  return no_content(version);
}

}  // namespace agentsudo::server::api
