#include "server/api/agents_handler.hpp"

#include "core/uuid.hpp"
#include "server/agents/agent_settings.hpp"
#include "server/api/json_members.hpp"
#include "server/api/request_body.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/resource_json.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {

// An agent's settings: 200 scopes of 256 bytes, with room for JSON escapes.
constexpr std::size_t kAgentBody = 256 * 1024;
namespace json = boost::json;

namespace {

json::object agent_json(const Agent& agent) {
  json::array scopes;
  for (const auto& scope : agent.settings.scopes)
    scopes.emplace_back(scope);
  return {{"id", agent.id},
          {"name", agent.name},
          {"scopes", std::move(scopes)},
          {"role", agent.settings.role},
          {"session_ttl_seconds", agent.settings.session_ttl_seconds},
          {"created_at", format_rfc3339(agent.created_at)},
          {"last_seen_at", time_or_null(agent.last_seen_at)}};
}

Result<std::vector<std::string>> read_scopes(const json::value& value) {
  const auto* array = value.if_array();
  if (array == nullptr)
    return invalid_member("scopes", "scopes must be an array of strings");
  if (array->size() > kMaxScopesPerAgent) {
    return invalid_member(
        "scopes", "scopes holds at most " + std::to_string(kMaxScopesPerAgent) + " patterns");
  }
  std::vector<std::string> scopes;
  for (std::size_t i = 0; i < array->size(); ++i) {
    if (!(*array)[i].is_string()) {
      Error error = invalid_member("scopes", "scopes[" + std::to_string(i) + "] must be a string");
      error.index = i;
      return error;
    }
    scopes.emplace_back((*array)[i].get_string());
  }
  if (auto valid = validate_scopes(scopes); !valid)
    return valid.error();
  return scopes;
}

Result<std::int64_t> read_ttl(const json::value& value) {
  if (!value.is_int64() && !value.is_uint64())
    return invalid_member("session_ttl_seconds", "session_ttl_seconds must be a whole number");
  std::int64_t seconds = value.is_int64() ? value.get_int64() : -1;
  if (auto valid = validate_session_ttl(seconds); !valid)
    return valid.error();
  return seconds;
}

// Applies the settings a body carries onto `settings`; members left out keep
// their value. Nothing is stored until all of them are valid.
Status apply_settings(const JsonMembers& members, AgentSettings& settings) {
  if (const auto* scopes = members.find("scopes")) {
    auto parsed = read_scopes(*scopes);
    if (!parsed)
      return parsed.error();
    settings.scopes = std::move(*parsed);
  }
  if (members.has("role")) {
    auto role = members.required_string("role");
    if (!role)
      return role.error();
    if (auto valid = validate_role(*role); !valid)
      return valid;
    settings.role = std::move(*role);
  }
  if (const auto* ttl = members.find("session_ttl_seconds")) {
    auto parsed = read_ttl(*ttl);
    if (!parsed)
      return parsed.error();
    settings.session_ttl_seconds = *parsed;
  }
  return {};
}

Error agent_not_found(std::string_view agent_id) {
  return make_error(ErrorKind::kNotFound, "no agent with id " + std::string(agent_id));
}

}  // namespace

std::vector<ResourceRoute<AgentsHandler>> AgentsHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/projects/{project_id}/agents", kSmallBody, Access::kProject,
            &AgentsHandler::list),
      route(Verb::post, "/api/v1/projects/{project_id}/agents", kAgentBody, Access::kProject,
            &AgentsHandler::create),
      route(Verb::get, "/api/v1/projects/{project_id}/agents/{agent_id}", kSmallBody,
            Access::kProject, &AgentsHandler::get),
      route(Verb::patch, "/api/v1/projects/{project_id}/agents/{agent_id}", kAgentBody,
            Access::kProject, &AgentsHandler::update),
      route(Verb::delete_, "/api/v1/projects/{project_id}/agents/{agent_id}", kSmallBody,
            Access::kProject, &AgentsHandler::remove),
  };
}

AgentsHandler::AgentsHandler(AccessControl& access, AgentStore& agents)
    : access_(access), agents_(agents) {}

http::Response AgentsHandler::list(const http::Request& request, std::string_view project_id) {
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), request.version());
  auto agents = agents_.list_agents(target->project.rowid);
  if (!agents)
    return error_response(agents.error(), request.version());
  json::array list;
  for (const auto& agent : *agents)
    list.push_back(agent_json(agent));
  return json_response(200, json::object{{"agents", std::move(list)}}, request.version());
}

http::Response AgentsHandler::create(const http::Request& request, std::string_view project_id) {
  unsigned version = request.version();
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), version);
  auto body = parse_json_body(request);
  if (!body)
    return error_response(body.error(), version);
  auto members = JsonMembers::of(*body, {"name", "scopes", "role", "session_ttl_seconds"});
  if (!members)
    return error_response(members.error(), version);
  auto name = members->required_string("name");
  if (!name)
    return error_response(name.error(), version);
  if (auto valid = validate_agent_name(*name); !valid)
    return error_response(valid.error(), version);
  AgentSettings settings;
  if (auto applied = apply_settings(*members, settings); !applied)
    return error_response(applied.error(), version);
  auto agent = agents_.create_agent(target->project.rowid, *name, settings);
  if (!agent)
    return error_response(agent.error(), version);
  return json_response(201, agent_json(*agent), version);
}

http::Response AgentsHandler::get(const http::Request& request, std::string_view project_id,
                                  std::string_view agent_id) {
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), request.version());
  if (!is_canonical_uuid(agent_id))
    return error_response(agent_not_found(agent_id), request.version());
  auto agent = agents_.find_agent(target->project.rowid, agent_id);
  if (!agent)
    return error_response(agent.error(), request.version());
  return json_response(200, agent_json(*agent), request.version());
}

http::Response AgentsHandler::update(const http::Request& request, std::string_view project_id,
                                     std::string_view agent_id) {
  unsigned version = request.version();
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), version);
  if (!is_canonical_uuid(agent_id))
    return error_response(agent_not_found(agent_id), version);
  auto agent = agents_.find_agent(target->project.rowid, agent_id);
  if (!agent)
    return error_response(agent.error(), version);
  auto body = parse_json_body(request);
  if (!body)
    return error_response(body.error(), version);
  auto members = JsonMembers::of(*body, {"scopes", "role", "session_ttl_seconds"});
  if (!members)
    return error_response(members.error(), version);
  AgentSettings settings = agent->settings;
  if (auto applied = apply_settings(*members, settings); !applied)
    return error_response(applied.error(), version);
  auto updated = agents_.update_agent(target->project.rowid, agent_id, settings);
  if (!updated)
    return error_response(updated.error(), version);
  return json_response(200, agent_json(*updated), version);
}

http::Response AgentsHandler::remove(const http::Request& request, std::string_view project_id,
                                     std::string_view agent_id) {
  unsigned version = request.version();
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), version);
  if (!is_canonical_uuid(agent_id))
    return error_response(agent_not_found(agent_id), version);
  if (auto removed = agents_.delete_agent(target->project.rowid, agent_id); !removed)
    return error_response(removed.error(), version);
  return no_content(version);
}

}  // namespace agentsudo::server::api
