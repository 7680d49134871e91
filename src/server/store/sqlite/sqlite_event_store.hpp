#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/audit/signing_key.hpp"
#include "server/store/activity_tally.hpp"
#include "server/store/delivery_tally.hpp"
#include "server/store/event_store.hpp"
#include "server/store/sqlite/chain_append.hpp"
#include "server/store/sqlite/connection_pool.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// EventStore on SQLite: appends through the one writer connection (the
// caller's single writer thread), queries through the shared read pool.
class SqliteEventStore final : public EventStore {
 public:
  // Without a `signing_key` the chain is kept but no checkpoint is signed.
  // `chain_events` false stores events unchained: a benchmark's baseline only.
  SqliteEventStore(std::unique_ptr<Database> writer, std::shared_ptr<ConnectionPool> readers,
                   std::shared_ptr<const audit::SigningKey> signing_key = nullptr,
                   bool chain_events = true);

  Status append(std::span<EventBatch* const> batches, std::span<CommittedBatch> committed) override;
  Result<std::vector<StoredEvent>> query(const EventQuery& query) override;
  Result<std::vector<StoredEvent>> tail(const TailQuery& query) override;
  Result<std::int64_t> last_seq(std::int64_t project_rowid) override;
  Status write_checkpoints() override;

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
  // The agent of that name, registered on first sight; nullptr when it is
  // new and `register_new` is false.
  const AgentRef* resolve_agent(std::int64_t project_rowid, const std::string& name, UnixMicros now,
                                bool register_new);
  // Inserts the batch's event `index` (setting `agent`) with its chain link,
  // unless the project already holds an event with its id: then nothing is
  // written, the chain does not move, and the stored event is returned.
  std::optional<StoredEvent> insert_unless_duplicate(Statement& insert, ChainAppend& chain,
                                                     const EventBatch& batch, std::size_t index,
                                                     const AgentRef*& agent);
  std::optional<StoredEvent> stored_event(std::int64_t project_rowid, std::string_view id);
  bool insert_event(Statement& insert, const EventBatch& batch, std::size_t index,
                    std::int64_t agent_rowid, const ChainLink& link);
  std::int64_t stored_on_day(std::int64_t project_rowid, std::int64_t day);
  void add_usage(const std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t>& usage);
  void write_tally();
  void write_delivery();
  // Queues a last-seen write for a row unless one was written this minute.
  void note_seen(std::unordered_map<std::int64_t, std::int64_t>& written_minute,
                 std::map<std::int64_t, UnixMicros>& pending, std::int64_t rowid, UnixMicros at);
  void write_last_seen(const char* sql, const std::map<std::int64_t, UnixMicros>& pending);
  void remember_seen(std::unordered_map<std::int64_t, std::int64_t>& written_minute,
                     const std::map<std::int64_t, UnixMicros>& pending);

  std::unique_ptr<Database> writer_;
  std::shared_ptr<ConnectionPool> readers_;
  std::shared_ptr<const audit::SigningKey> signing_key_;
  const bool chain_events_;
  // Agents already registered, so a hot agent costs no lookup. Only the writer
  // thread touches it; entries added by a failed transaction are dropped.
  std::unordered_map<AgentKey, AgentRef, AgentKeyHash> agents_;
  std::vector<AgentKey> agents_added_;  // this transaction's additions
  // This transaction's analytics, written once per distinct key at its end.
  ActivityTally tally_;
  DeliveryTally delivery_;
  // The minute of the last-seen time last written per agent and per key
  // (writer thread only), so those columns cost at most a write a minute.
  std::unordered_map<std::int64_t, std::int64_t> agent_seen_minute_;
  std::unordered_map<std::int64_t, std::int64_t> key_used_minute_;
  // This transaction's last-seen writes, remembered only once it commits.
  std::map<std::int64_t, UnixMicros> agents_seen_;
  std::map<std::int64_t, UnixMicros> keys_used_;
  // Whether the schema has agents.last_seen_at and api_keys.last_used_at
  // (added by the accounts migration).
  bool has_agent_last_seen_ = false;
  bool has_key_last_used_ = false;
};

}  // namespace agentsudo::server::sqlite
