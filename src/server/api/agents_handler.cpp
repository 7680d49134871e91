#include "server/api/agents_handler.hpp"

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

// Scopes as JSON strings; the service checks the patterns.
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
  return scopes;
}

// A whole number; out of range reads as -1, which the service refuses.
Result<std::int64_t> read_ttl(const json::value& value) {
  if (!value.is_int64() && !value.is_uint64())
    return invalid_member("session_ttl_seconds", "session_ttl_seconds must be a whole number");
  return value.is_int64() ? value.get_int64() : -1;
}

json::value settings_json(const std::optional<AgentSettings>& settings) {
  if (!settings)
    return nullptr;
  json::array scopes;
  for (const auto& scope : settings->scopes)
    scopes.emplace_back(scope);
  return json::object{{"scopes", std::move(scopes)},
                      {"role", settings->role},
                      {"session_ttl_seconds", settings->session_ttl_seconds}};
}

json::object change_json(const PolicyChange& change) {
  return {{"version", change.version},
          {"change", to_string(change.kind)},
          {"agent_name", change.agent_name},
          {"changed_by", change.changed_by},
          {"changed_at", format_rfc3339(change.changed_at)},
          {"old", settings_json(change.old_settings)},
          {"new", settings_json(change.new_settings)},
          {"event_id", change.event_id}};
}

json::array shifts_json(const std::vector<ScopeShift>& shifts) {
  json::array out;
  for (const auto& shift : shifts)
    out.push_back(json::object{{"scope", shift.scope}, {"calls", shift.calls}});
  return out;
}

Result<std::int64_t> read_days(const JsonMembers& members) {
  const auto* days = members.find("days");
  if (days == nullptr)
    return 7;
  if (!days->is_int64())
    return invalid_member("days", "days must be a whole number of days");
  return days->get_int64();
}

// The settings a body carries, decoded; members left out stay unset.
Result<AgentSettingsChange> read_settings(const JsonMembers& members) {
  AgentSettingsChange change;
  if (const auto* scopes = members.find("scopes")) {
    ASSIGN_OR_RETURN(change.scopes, read_scopes(*scopes));
  }
  if (members.has("role")) {
    ASSIGN_OR_RETURN(change.role, members.required_string("role"));
  }
  if (const auto* ttl = members.find("session_ttl_seconds")) {
    ASSIGN_OR_RETURN(change.session_ttl_seconds, read_ttl(*ttl));
  }
  return change;
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
      route(Verb::get, "/api/v1/projects/{project_id}/agents/{agent_id}/history", kSmallBody,
            Access::kProject, &AgentsHandler::history),
      route(Verb::post, "/api/v1/projects/{project_id}/agents/{agent_id}/preview", kAgentBody,
            Access::kProject, &AgentsHandler::preview),
  };
}

AgentsHandler::AgentsHandler(AccessControl& access, AgentService& agents)
    : access_(access), agents_(agents) {}

Result<http::Response> AgentsHandler::list(const http::Request& request,
                                           std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto agents, agents_.list(target.project.rowid));
  json::array list;
  for (const auto& agent : agents)
    list.push_back(agent_json(agent));
  return json_response(200, json::object{{"agents", std::move(list)}}, request.version());
}

Result<http::Response> AgentsHandler::create(const http::Request& request,
                                             std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members,
                   JsonMembers::of(body, {"name", "scopes", "role", "session_ttl_seconds"}));
  ASSIGN_OR_RETURN(auto name, members.required_string("name"));
  ASSIGN_OR_RETURN(auto settings, read_settings(members));
  ASSIGN_OR_RETURN(auto agent, agents_.create(target.project.rowid, name, settings,
                                              author_of(target.principal)));
  return json_response(201, agent_json(agent), request.version());
}

Result<http::Response> AgentsHandler::get(const http::Request& request, std::string_view project_id,
                                          std::string_view agent_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto agent, agents_.find(target.project.rowid, agent_id));
  return json_response(200, agent_json(agent), request.version());
}

Result<http::Response> AgentsHandler::update(const http::Request& request,
                                             std::string_view project_id,
                                             std::string_view agent_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"scopes", "role", "session_ttl_seconds"}));
  ASSIGN_OR_RETURN(auto change, read_settings(members));
  ASSIGN_OR_RETURN(auto agent, agents_.update(target.project.rowid, agent_id, change,
                                              author_of(target.principal)));
  return json_response(200, agent_json(agent), request.version());
}

Result<http::Response> AgentsHandler::remove(const http::Request& request,
                                             std::string_view project_id,
                                             std::string_view agent_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  RETURN_IF_ERROR(agents_.remove(target.project.rowid, agent_id, author_of(target.principal)));
  return no_content(request.version());
}

Result<http::Response> AgentsHandler::history(const http::Request& request,
                                              std::string_view project_id,
                                              std::string_view agent_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto changes, agents_.history(target.project.rowid, agent_id));
  json::array list;
  for (const auto& change : changes)
    list.push_back(change_json(change));
  return json_response(200, json::object{{"changes", std::move(list)}}, request.version());
}

Result<http::Response> AgentsHandler::preview(const http::Request& request,
                                              std::string_view project_id,
                                              std::string_view agent_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"scopes", "days"}));
  const auto* scopes_value = members.find("scopes");
  if (scopes_value == nullptr)
    return invalid_member("scopes", "scopes is required");
  ASSIGN_OR_RETURN(auto scopes, read_scopes(*scopes_value));
  ASSIGN_OR_RETURN(auto days, read_days(members));
  ASSIGN_OR_RETURN(auto preview, agents_.preview(target.project.rowid, agent_id, scopes, days));
  return json_response(200,
                       json::object{{"days", days},
                                    {"calls", preview.calls},
                                    {"newly_denied", preview.newly_denied},
                                    {"newly_granted", preview.newly_granted},
                                    {"denied_scopes", shifts_json(preview.denied_scopes)},
                                    {"granted_scopes", shifts_json(preview.granted_scopes)}},
                       request.version());
}

}  // namespace agentsudo::server::api
