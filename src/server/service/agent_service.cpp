#include "server/service/agent_service.hpp"

#include "core/uuid.hpp"
#include "server/agents/agent_settings.hpp"

namespace agentsudo::server {
namespace {

Status validate(const AgentSettingsChange& change) {
  if (change.scopes)
    RETURN_IF_ERROR(validate_scopes(*change.scopes));
  if (change.role)
    RETURN_IF_ERROR(validate_role(*change.role));
  if (change.session_ttl_seconds)
    RETURN_IF_ERROR(validate_session_ttl(*change.session_ttl_seconds));
  return {};
}

// A malformed id names no agent; the store is not asked.
Status check_agent_id(std::string_view agent_id) {
  if (!is_canonical_uuid(agent_id))
    return make_error(ErrorKind::kNotFound, "no agent with id " + std::string(agent_id));
  return {};
}

}  // namespace

AgentService::AgentService(AgentStore& agents) : agents_(agents) {}

Result<std::vector<Agent>> AgentService::list(std::int64_t project_rowid) {
  return agents_.list_agents(project_rowid);
}

Result<Agent> AgentService::find(std::int64_t project_rowid, std::string_view agent_id) {
  RETURN_IF_ERROR(check_agent_id(agent_id));
  return agents_.find_agent(project_rowid, agent_id);
}

Result<Agent> AgentService::create(std::int64_t project_rowid, std::string_view name,
                                   const AgentSettingsChange& settings) {
  RETURN_IF_ERROR(validate_agent_name(name));
  RETURN_IF_ERROR(validate(settings));
  AgentSettings initial;
  settings.apply_to(initial);
  return agents_.create_agent(project_rowid, name, initial);
}

Result<Agent> AgentService::update(std::int64_t project_rowid, std::string_view agent_id,
                                   const AgentSettingsChange& change) {
  RETURN_IF_ERROR(check_agent_id(agent_id));
  RETURN_IF_ERROR(validate(change));
  return agents_.update_agent(project_rowid, agent_id, change);
}

Status AgentService::remove(std::int64_t project_rowid, std::string_view agent_id) {
  RETURN_IF_ERROR(check_agent_id(agent_id));
  return agents_.delete_agent(project_rowid, agent_id);
}

}  // namespace agentsudo::server
