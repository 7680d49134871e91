#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/audit/canonical_event.hpp"
#include "server/audit/chain_hash.hpp"
#include "server/store/event_store.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// Where an event goes in the events table and its project's chain.
struct ChainLink {
  std::int64_t seq = 0;
  std::int64_t position = 0;
  audit::ChainHash hash{};
};

// The chain links of one write transaction: gives each event to be inserted
// its seq, chain position and hash, and records each project's new chain
// head before the commit. The heads and the next seq are read once per
// transaction (under its write lock), not kept across transactions, because
// the approval and policy journals append chained events on other
// connections. After the first event of a project this costs one SHA-256
// per event and no query.
class ChainAppend {
 public:
  // `hashing` false (benchmarks' baseline only) hands out seqs and no links:
  // positions 0, events stored unchained, no heads.
  explicit ChainAppend(Database& db, bool hashing = true) : db_(db), hashing_(hashing) {}

  // The link the project's next event gets. Nothing moves until `accept`,
  // so an insert the store skips (a duplicate event id) leaves no hole in
  // the chain. `event.project_id`, `position` and `seq` are filled in here.
  ChainLink propose(std::int64_t project_rowid, audit::ChainedEvent event);
  // The commit writer's events: batch event `index`, by the agent `agent_id`.
  ChainLink propose(const EventBatch& batch, std::size_t index, std::string_view agent_id);
  // Makes a proposed link the project's head; call once its event is inserted.
  void accept(std::int64_t project_rowid, const ChainLink& link);
  // propose, then accept: for an event that is certainly inserted.
  ChainLink link(std::int64_t project_rowid, audit::ChainedEvent event);

  // Records the new heads; call once, just before the commit.
  void write_heads();

 private:
  struct Head {
    std::string project_id;
    std::int64_t position = 0;
    std::int64_t seq = 0;
    audit::ChainHash hash = audit::kGenesisHash;
  };

  Head& head(std::int64_t project_rowid);
  std::int64_t next_seq();

  Database& db_;
  const bool hashing_;
  std::unordered_map<std::int64_t, Head> heads_;  // by project rowid
  std::int64_t last_seq_ = -1;                    // -1: not read yet
  std::string encoding_;
};

// Appends one event from outside the commit writer (the journals) with its
// chain link: reads the agent's id and name, links, and records the head.
// Runs inside the caller's write transaction; returns the link to insert.
ChainLink link_single_event(Database& db, std::int64_t project_rowid, std::int64_t agent_rowid,
                            audit::ChainedEvent event);

}  // namespace agentsudo::server::sqlite
