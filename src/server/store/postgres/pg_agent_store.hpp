#pragma once

#include <memory>

#include "server/store/agent_store.hpp"
#include "server/store/postgres/connection_pool.hpp"

namespace agentsudo::server::postgres {

// AgentStore on PostgreSQL, shared by every node; scopes are kept as a JSON
// array in agents.scopes, the history in policy_changes (see
// policy_journal.hpp). A change locks the agent's row, then the project's,
// so concurrent changes from several nodes apply one after the other.
// Thread-safe.
class PgAgentStore final : public AgentStore {
 public:
  explicit PgAgentStore(std::shared_ptr<ConnectionPool> pool);

  Result<std::vector<Agent>> list_agents(std::int64_t project_rowid) override;
  Result<Agent> find_agent(std::int64_t project_rowid, std::string_view agent_id) override;
  Result<Agent> create_agent(std::int64_t project_rowid, std::string_view name,
                             const AgentSettings& settings, const ChangeAuthor& author) override;
  Result<Agent> update_agent(std::int64_t project_rowid, std::string_view agent_id,
                             const AgentSettingsChange& change,
                             const ChangeAuthor& author) override;
  Status delete_agent(std::int64_t project_rowid, std::string_view agent_id,
                      const ChangeAuthor& author) override;
  Result<Policy> policy(std::int64_t project_rowid) override;
  Result<std::vector<PolicyChange>> policy_history(std::int64_t project_rowid,
                                                   std::string_view agent_id,
                                                   std::size_t limit) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace agentsudo::server::postgres
