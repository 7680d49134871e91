#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/audit/canonical_event.hpp"
#include "server/audit/chain_hash.hpp"
#include "server/store/event_store.hpp"
#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// Where an event goes in the events table and its project's chain.
struct ChainLink {
  std::int64_t seq = 0;
  std::int64_t position = 0;  // 0: stored unchained
  audit::ChainHash hash{};
};

// The chain links of one write transaction on PostgreSQL. Several nodes
// append to one project, so each project's head row is locked (FOR UPDATE)
// before any seq is taken: the next writer of that project, on any node,
// waits for this transaction's commit and then draws larger seqs, so a
// project's seqs increase in commit order, which the live feed's
// `seq > after` relies on. Seqs come from the events_seq sequence; one
// drawn for an event that turns out a duplicate is never used (a gap in
// seq is harmless; a gap in the chain's positions is not, and positions
// only move on accept).
class ChainAppend {
 public:
  // `hashing` false (benchmarks' baseline only) still orders seqs but
  // links nothing: positions 0, no hashes, heads unchanged.
  explicit ChainAppend(Connection& conn, bool hashing = true) : conn_(conn), hashing_(hashing) {}

  // Locks and reads the heads of these projects, in ascending id order so
  // that two transactions over the same projects cannot deadlock. Call it
  // once, before the transaction writes to the events table.
  void lock_heads(std::vector<std::int64_t> project_rowids);
  // `count` new seqs, ascending, in one round trip. Only after lock_heads
  // (of every project they are for) do they follow commit order.
  std::vector<std::int64_t> draw_seqs(std::int64_t count);

  // The link the project's next event gets at `seq`; nothing moves until
  // `accept`, so an insert the store skips (a duplicate event id) leaves no
  // hole in the chain. `event.project_id`, `position` and `seq` are filled
  // in here.
  ChainLink propose(std::int64_t project_rowid, std::int64_t seq, audit::ChainedEvent event);
  // The commit writer's events: batch event `index`, by the agent `agent_id`.
  ChainLink propose(const EventBatch& batch, std::size_t index, std::string_view agent_id,
                    std::int64_t seq);
  // Makes a proposed link the project's head; call once its event is inserted.
  void accept(std::int64_t project_rowid, const ChainLink& link);
  // Draws a seq, proposes and accepts: for an event certainly inserted.
  ChainLink link(std::int64_t project_rowid, audit::ChainedEvent event);

  // Records the heads that moved; call once, just before the commit.
  void write_heads();

 private:
  struct Head {
    std::string project_id;
    std::int64_t position = 0;
    std::int64_t seq = 0;
    audit::ChainHash hash = audit::kGenesisHash;
    bool moved = false;
  };

  Head& head(std::int64_t project_rowid);
  std::optional<Head> read_locked_head(std::int64_t project_rowid);

  Connection& conn_;
  const bool hashing_;
  std::unordered_map<std::int64_t, Head> heads_;  // by project rowid, all locked
  std::string encoding_;
};

}  // namespace agentsudo::server::postgres
