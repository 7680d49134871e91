#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "server/model/agent.hpp"
#include "server/model/error.hpp"
#include "server/store/agent_store.hpp"

namespace agentsudo::server {

// A project's agents as people configure them: name, scopes, role, session
// TTL. Validation comes first, then one store transaction. Errors name the
// member at fault (see agents/agent_settings.hpp). Thread-safe.
class AgentService {
 public:
  explicit AgentService(AgentStore& agents);

  Result<std::vector<Agent>> list(std::int64_t project_rowid);
  // kNotFound for an unknown, deleted or malformed id, or another project's.
  Result<Agent> find(std::int64_t project_rowid, std::string_view agent_id);
  // An agent with the settings given and defaults for the rest. kConflict
  // when a live agent has the name.
  Result<Agent> create(std::int64_t project_rowid, std::string_view name,
                       const AgentSettingsChange& settings);
  // Changes the settings given and keeps the rest; returns the agent.
  Result<Agent> update(std::int64_t project_rowid, std::string_view agent_id,
                       const AgentSettingsChange& change);
  Status remove(std::int64_t project_rowid, std::string_view agent_id);

 private:
  AgentStore& agents_;
};

}  // namespace agentsudo::server
