#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/audit/signing_key.hpp"
#include "server/store/activity_tally.hpp"
#include "server/store/delivery_tally.hpp"
#include "server/store/event_store.hpp"
#include "server/store/postgres/chain_append.hpp"
#include "server/store/postgres/connection.hpp"
#include "server/store/postgres/connection_pool.hpp"
#include "server/store/postgres/multi_row_insert.hpp"
#include "server/store/postgres/statement_pipeline.hpp"

namespace agentsudo::server::postgres {

// EventStore on PostgreSQL: appends through its own writer connection (the
// caller's single writer thread), queries through the shared pool. Several
// nodes append to one database at once: each transaction first locks the
// chain heads of its projects, which orders every per-project write (events,
// seqs, aggregates) between nodes; aggregates are upserts that add.
class PgEventStore final : public EventStore {
 public:
  // Without a `signing_key` the chain is kept but no checkpoint is signed.
  // `chain_events` false stores events unchained: a benchmark's baseline only.
  PgEventStore(std::unique_ptr<Connection> writer, std::shared_ptr<ConnectionPool> readers,
               std::shared_ptr<const audit::SigningKey> signing_key = nullptr,
               bool chain_events = true);

  Status append(std::span<EventBatch* const> batches, std::span<CommittedBatch> committed) override;
  Result<std::vector<StoredEvent>> query(const EventQuery& query) override;
  Result<std::vector<StoredEvent>> tail(const TailQuery& query) override;
  Result<std::int64_t> last_seq(std::int64_t project_rowid) override;
  Status write_checkpoints() override;

 private:
  struct AgentRef {
    std::int64_t rowid = 0;
    std::string id;
  };
  using AgentKey = std::pair<std::int64_t, std::string>;  // (project rowid, agent name)
  struct AgentKeyHash {
    std::size_t operator()(const AgentKey& key) const {
      return std::hash<std::string>()(key.second) ^ static_cast<std::size_t>(key.first);
    }
  };
  // One event of the transaction, in batch order.
  struct Slot {
    std::size_t batch = 0;
    std::size_t index = 0;
    std::int64_t seq = 0;
    bool fresh = false;  // its id was new to its project: it is stored
    AgentRef agent;      // a copy: the cache may be cleared mid-transaction
    ChainLink link;
  };

  // Events stored per (project, UTC day).
  using DayCounts = std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t>;

  void forget_added_agents();
  std::vector<bool> admit_within_quota(std::span<EventBatch* const> batches,
                                       std::span<CommittedBatch> committed, DayCounts& stored);
  void publish_commits(std::span<EventBatch* const> batches, const std::vector<bool>& admitted,
                       StatementPipeline& writes);
  void make_partitions(std::span<EventBatch* const> batches);
  void append_in_transaction(std::span<EventBatch* const> batches,
                             std::span<CommittedBatch> committed);
  std::vector<Slot> claim_ids(std::span<EventBatch* const> batches,
                              const std::vector<bool>& admitted, ChainAppend& chain);
  void link_fresh(std::span<EventBatch* const> batches, const std::vector<bool>& admitted,
                  std::vector<Slot>& slots, ChainAppend& chain, StatementPipeline& writes);
  void insert_events(std::span<EventBatch* const> batches, const std::vector<Slot>& slots,
                     StatementPipeline& writes);
  void report(std::span<EventBatch* const> batches, const std::vector<Slot>& slots,
              DayCounts day_counts, std::span<CommittedBatch> committed);
  // The agent of that name, registered on first sight by any node.
  const AgentRef& resolve_agent(std::int64_t project_rowid, const std::string& name,
                                UnixMicros now);
  StoredEvent stored_event(std::int64_t project_rowid, const std::string& id);
  void add_usage(const std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t>& usage,
                 StatementPipeline& writes);
  void write_tally(StatementPipeline& writes);
  void write_delivery(StatementPipeline& writes);
  void note_seen(std::unordered_map<std::int64_t, std::int64_t>& written_minute,
                 std::map<std::int64_t, UnixMicros>& pending, std::int64_t rowid, UnixMicros at);
  // Writes the pending last-seen times; drops those it could not write.
  void write_last_seen(const char* table, const char* column,
                       std::map<std::int64_t, UnixMicros>& pending);
  void remember_seen(std::unordered_map<std::int64_t, std::int64_t>& written_minute,
                     const std::map<std::int64_t, UnixMicros>& pending);

  std::unique_ptr<Connection> writer_;
  std::shared_ptr<ConnectionPool> readers_;
  std::shared_ptr<const audit::SigningKey> signing_key_;
  const bool chain_events_;
  PreparedStatements pipelined_;  // on writer_
  MultiRowInsert insert_ids_;
  MultiRowInsert insert_events_;
  // Days whose partition this store has seen exist (writer thread only).
  std::set<std::int64_t> partitions_;
  // Agents already registered, so a hot agent costs no lookup. Only the writer
  // thread touches it; entries added by a failed transaction are dropped.
  std::unordered_map<AgentKey, AgentRef, AgentKeyHash> agents_;
  std::vector<AgentKey> agents_added_;
  ActivityTally tally_;
  DeliveryTally delivery_;
  // The minute of the last-seen time last written per agent and per key
  // (writer thread only), so those columns cost at most a write a minute.
  std::unordered_map<std::int64_t, std::int64_t> agent_seen_minute_;
  std::unordered_map<std::int64_t, std::int64_t> key_used_minute_;
  std::map<std::int64_t, UnixMicros> agents_seen_;
  std::map<std::int64_t, UnixMicros> keys_used_;
};

}  // namespace agentsudo::server::postgres
