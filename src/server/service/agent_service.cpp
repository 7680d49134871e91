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

AgentService::AgentService(AgentStore& agents, AnalyticsStore& analytics, const Clock& clock,
                           PolicyListener on_policy_change)
    : agents_(agents),
      analytics_(analytics),
      clock_(clock),
      on_policy_change_(std::move(on_policy_change)) {}

void AgentService::notify(std::int64_t project_rowid) const {
  if (on_policy_change_)
    on_policy_change_(project_rowid);
}

Result<std::vector<Agent>> AgentService::list(std::int64_t project_rowid) {
  return agents_.list_agents(project_rowid);
}

Result<Agent> AgentService::find(std::int64_t project_rowid, std::string_view agent_id) {
  RETURN_IF_ERROR(check_agent_id(agent_id));
  return agents_.find_agent(project_rowid, agent_id);
}

Result<Agent> AgentService::create(std::int64_t project_rowid, std::string_view name,
                                   const AgentSettingsChange& settings,
                                   const ChangeAuthor& author) {
  RETURN_IF_ERROR(validate_agent_name(name));
  RETURN_IF_ERROR(validate(settings));
  AgentSettings initial;
  settings.apply_to(initial);
  ASSIGN_OR_RETURN(auto agent, agents_.create_agent(project_rowid, name, initial, author));
  notify(project_rowid);
  return agent;
}

Result<Agent> AgentService::update(std::int64_t project_rowid, std::string_view agent_id,
                                   const AgentSettingsChange& change, const ChangeAuthor& author) {
  RETURN_IF_ERROR(check_agent_id(agent_id));
  RETURN_IF_ERROR(validate(change));
  ASSIGN_OR_RETURN(auto agent, agents_.update_agent(project_rowid, agent_id, change, author));
  notify(project_rowid);
  return agent;
}

Status AgentService::remove(std::int64_t project_rowid, std::string_view agent_id,
                            const ChangeAuthor& author) {
  RETURN_IF_ERROR(check_agent_id(agent_id));
  RETURN_IF_ERROR(agents_.delete_agent(project_rowid, agent_id, author));
  notify(project_rowid);
  return {};
}

Result<std::vector<PolicyChange>> AgentService::history(std::int64_t project_rowid,
                                                        std::string_view agent_id) {
  RETURN_IF_ERROR(check_agent_id(agent_id));
  return agents_.policy_history(project_rowid, agent_id, kMaxHistory);
}

Result<PolicyPreview> AgentService::preview(std::int64_t project_rowid, std::string_view agent_id,
                                            const std::vector<std::string>& scopes,
                                            std::int64_t days) {
  RETURN_IF_ERROR(check_agent_id(agent_id));
  RETURN_IF_ERROR(validate_scopes(scopes));
  if (days < 1 || days > kMaxPreviewDays) {
    return make_error(ErrorKind::kInvalidPayload,
                      "days must be 1 to " + std::to_string(kMaxPreviewDays), "days");
  }
  RETURN_IF_ERROR(agents_.find_agent(project_rowid, agent_id));
  std::int64_t today = bucket_of(Period::kDay, clock_.now());
  AnalyticsWindow window{project_rowid, Period::kDay, today - days + 1, today};
  // Every scope the agent used: a preview that dropped some would undercount.
  ASSIGN_OR_RETURN(auto usage, analytics_.agent_scope_usage(window, agent_id, kMaxPreviewScopes));
  return preview_scopes(usage, scopes);
}

}  // namespace agentsudo::server
