#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "server/model/agent.hpp"
#include "server/model/clock.hpp"
#include "server/model/error.hpp"
#include "server/model/policy.hpp"
#include "server/policy/policy_preview.hpp"
#include "server/store/agent_store.hpp"
#include "server/store/analytics_store.hpp"

namespace agentsudo::server {

// A project's agents as people configure them: name, scopes, role, session
// TTL, which together are the project's policy. Validation comes first, then
// one store transaction (which also keeps the history); after a commit the
// listener hears which project's policy changed. Errors name the member at
// fault (see agents/agent_settings.hpp). Thread-safe.
class AgentService {
 public:
  using PolicyListener = std::function<void(std::int64_t project_rowid)>;

  // How far back a preview may look, in days.
  static constexpr std::int64_t kMaxPreviewDays = 90;
  static constexpr std::size_t kMaxHistory = 200;
  // Distinct scopes one agent's preview reads at most.
  static constexpr std::size_t kMaxPreviewScopes = 100000;

  AgentService(AgentStore& agents, AnalyticsStore& analytics, const Clock& clock,
               PolicyListener on_policy_change = {});

  Result<std::vector<Agent>> list(std::int64_t project_rowid);
  // kNotFound for an unknown, deleted or malformed id, or another project's.
  Result<Agent> find(std::int64_t project_rowid, std::string_view agent_id);
  // An agent with the settings given and defaults for the rest. kConflict
  // when a live agent has the name.
  Result<Agent> create(std::int64_t project_rowid, std::string_view name,
                       const AgentSettingsChange& settings, const ChangeAuthor& author);
  // Changes the settings given and keeps the rest; returns the agent.
  Result<Agent> update(std::int64_t project_rowid, std::string_view agent_id,
                       const AgentSettingsChange& change, const ChangeAuthor& author);
  Status remove(std::int64_t project_rowid, std::string_view agent_id, const ChangeAuthor& author);

  // The agent's policy changes, newest first.
  Result<std::vector<PolicyChange>> history(std::int64_t project_rowid, std::string_view agent_id);
  // What giving the agent `scopes` would have changed over its calls of the
  // last `days` UTC days (today included).
  Result<PolicyPreview> preview(std::int64_t project_rowid, std::string_view agent_id,
                                const std::vector<std::string>& scopes, std::int64_t days);

 private:
  void notify(std::int64_t project_rowid) const;

  AgentStore& agents_;
  AnalyticsStore& analytics_;
  const Clock& clock_;
  PolicyListener on_policy_change_;
};

}  // namespace agentsudo::server
