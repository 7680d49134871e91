#pragma once

#include <memory>
#include <mutex>

#include "server/store/agent_store.hpp"
#include "server/store/sqlite/connection_pool.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// AgentStore on SQLite; scopes are kept as a JSON array in agents.scopes,
// the history in policy_changes (see policy_journal.hpp).
// Writes go through one connection under a mutex; lookups borrow from the
// shared read pool. Thread-safe.
class SqliteAgentStore final : public AgentStore {
 public:
  SqliteAgentStore(std::unique_ptr<Database> writer, std::shared_ptr<ConnectionPool> readers);

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
  std::mutex write_mutex_;
  std::unique_ptr<Database> writer_;  // guarded by write_mutex_
  std::shared_ptr<ConnectionPool> readers_;
};

}  // namespace agentsudo::server::sqlite
