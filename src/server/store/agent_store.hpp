#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/timestamp.hpp"
#include "server/model/agent.hpp"
#include "server/model/error.hpp"
#include "server/model/policy.hpp"

namespace agentsudo::server {

// A project's agents as people manage them: its policy. A deleted agent
// keeps its row (marked deleted) so its events stay in the audit log. Every
// change bumps the project's policy version and, in the same transaction,
// records a history entry and a `policy_changed` event. Implementations are
// thread-safe.
class AgentStore {
 public:
  virtual ~AgentStore() = default;

  virtual Result<std::vector<Agent>> list_agents(std::int64_t project_rowid) = 0;
  // kNotFound for an unknown or deleted agent, or one of another project.
  virtual Result<Agent> find_agent(std::int64_t project_rowid, std::string_view agent_id) = 0;
  // kConflict when a live agent has the name; a deleted one of that name
  // comes back with the new settings (and its old events).
  virtual Result<Agent> create_agent(std::int64_t project_rowid, std::string_view name,
                                     const AgentSettings& settings, const ChangeAuthor& author) = 0;
  // Applies the change to the agent's settings as stored when the
  // transaction starts. kNotFound as for find_agent.
  virtual Result<Agent> update_agent(std::int64_t project_rowid, std::string_view agent_id,
                                     const AgentSettingsChange& change,
                                     const ChangeAuthor& author) = 0;
  virtual Status delete_agent(std::int64_t project_rowid, std::string_view agent_id,
                              const ChangeAuthor& author) = 0;

  // The project's policy as of one consistent read.
  virtual Result<Policy> policy(std::int64_t project_rowid) = 0;
  // The agent's changes, newest first; at most `limit`. kNotFound as for
  // find_agent, except that a deleted agent's history stays readable.
  virtual Result<std::vector<PolicyChange>> policy_history(std::int64_t project_rowid,
                                                           std::string_view agent_id,
                                                           std::size_t limit) = 0;
};

}  // namespace agentsudo::server
