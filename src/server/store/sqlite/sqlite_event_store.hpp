#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/store/event_store.hpp"
#include "server/store/sqlite/connection_pool.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// EventStore on SQLite: appends through the one writer connection (the
// caller's single writer thread), queries through the shared read pool.
class SqliteEventStore final : public EventStore {
 public:
  SqliteEventStore(std::unique_ptr<Database> writer, std::shared_ptr<ConnectionPool> readers);

  Status append(std::span<EventBatch* const> batches, std::span<CommittedBatch> committed) override;
  Result<std::vector<StoredEvent>> query(const EventQuery& query) override;

 private:
  struct AgentRef {
    std::int64_t rowid;
    std::string id;
  };
  using AgentKey = std::pair<std::int64_t, std::string>;  // (project rowid, agent name)
  struct AgentKeyHash {
    std::size_t operator()(const AgentKey& key) const {
      return std::hash<std::string>()(key.second) ^ static_cast<std::size_t>(key.first);
    }
  };

  void append_in_transaction(std::span<EventBatch* const> batches,
                             std::span<CommittedBatch> committed);
  const AgentRef& resolve_agent(std::int64_t project_rowid, const std::string& name,
                                UnixMicros now);
  void insert_event(Statement& insert, const EventBatch& batch, std::size_t index,
                    std::int64_t agent_rowid);
  void add_usage(const std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t>& usage);

  std::unique_ptr<Database> writer_;
  std::shared_ptr<ConnectionPool> readers_;
  // Agents already registered, so a hot agent costs no lookup. Only the writer
  // thread touches it; entries added by a failed transaction are dropped.
  std::unordered_map<AgentKey, AgentRef, AgentKeyHash> agents_;
  std::vector<AgentKey> agents_added_;  // this transaction's additions
};

}  // namespace agentsudo::server::sqlite
