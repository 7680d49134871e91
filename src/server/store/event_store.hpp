#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/event.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server {

// A request's AgentSudo-Instance and AgentSudo-Dropped headers: how many
// events the sending SDK process has dropped since it started.
struct DropReport {
  std::string instance_id;
  std::int64_t dropped = 0;
};

// Events accepted together from one request, for one project.
struct EventBatch {
  std::int64_t project_rowid = 0;
  std::int64_t api_key_rowid = 0;  // the key that sent them; 0 when none did
  UnixMicros received_at = 0;
  std::vector<Event> events;
  // One per event: the client's event_id, or one minted before the write.
  std::vector<std::string> event_ids;
  std::optional<DropReport> drops;  // when the request reported them
  // The project's daily quota, when it applies: the store then refuses the
  // whole batch if the day's stored events plus all of it would exceed it.
  // The check and the count move in the commit's transaction, so nodes
  // sharing a store never exceed a quota together.
  std::optional<std::int64_t> daily_quota;
};

struct StoredEvent {
  std::int64_t seq = 0;  // position in the project's log, for cursors
  std::string id;
  std::string agent_id;
  std::string agent_name;
  std::string action;
  std::optional<std::string> scope;
  bool allowed = false;
  std::optional<std::string> function_name;
  std::string metadata_json;
  UnixMicros timestamp = 0;
  UnixMicros received_at = 0;
  std::int64_t chain_position = 0;  // 0 for an event stored before the audit chain began
  std::string chain_hash;           // the link's 32 bytes; empty when unchained
};

// What the store adds to a batch when it commits it.
struct CommittedBatch {
  // One per event; for a duplicate, the agent of the event already stored.
  std::vector<std::string> agent_ids;
  // The batch's events whose event_id the project already held (stored by an
  // earlier request, or earlier in this one), by index, with what is stored.
  // They were not stored again and count toward no usage or analytics.
  std::vector<std::pair<std::size_t, StoredEvent>> duplicates;
  // The batch did not fit its daily quota: nothing of it was stored.
  bool over_quota = false;
  // The project's events stored on the batch's day once the commit is done
  // (or when it was refused), by every node.
  std::int64_t day_events = 0;
};

// A page of one project's events, newest first. Unset filters match all.
struct EventQuery {
  std::int64_t project_rowid = 0;
  std::optional<std::string> agent_name;
  std::optional<std::string> scope;
  std::optional<std::string> action;
  std::optional<std::string> function_name;
  std::optional<bool> allowed;
  std::optional<UnixMicros> since;  // inclusive
  std::optional<UnixMicros> until;  // exclusive
  std::optional<std::int64_t> before_seq;
  std::size_t limit = 50;
};

// Where a project's log ends and what came after a point in it, for the live
// feed: events after `after_seq`, oldest first.
struct TailQuery {
  std::int64_t project_rowid = 0;
  std::int64_t after_seq = 0;
  std::size_t limit = 500;
};

// The append-only log of events. `append` is called by one writer thread at a
// time; `query` is thread-safe and may run beside it.
class EventStore {
 public:
  virtual ~EventStore() = default;

  // Stores every batch in one durable transaction (all or none), registers
  // agents on first sight and counts each event toward its project's day. An
  // event whose client id its project already holds is not stored again. A
  // batch over its `daily_quota` is refused alone (`over_quota`).
  // Numbered events and drop reports are added to sdk_delivery with them.
  // On success `committed[i]` describes `batches[i]`.
  virtual Status append(std::span<EventBatch* const> batches,
                        std::span<CommittedBatch> committed) = 0;

  virtual Result<std::vector<StoredEvent>> query(const EventQuery& query) = 0;

  // The project's events after a position, oldest first (the live feed).
  virtual Result<std::vector<StoredEvent>> tail(const TailQuery& query) = 0;

  // The position of the project's newest event; 0 when it has none.
  virtual Result<std::int64_t> last_seq(std::int64_t project_rowid) = 0;

  // Signs a checkpoint for every project whose chain grew since its last
  // one (docs/AUDIT.md). Called by the writer thread between commits.
  virtual Status write_checkpoints() { return {}; }
};

}  // namespace agentsudo::server
