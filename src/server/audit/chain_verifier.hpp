#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/audit/canonical_event.hpp"
#include "server/audit/chain_hash.hpp"
#include "server/audit/checkpoint.hpp"
#include "server/audit/signing_key.hpp"

namespace agentsudo::server::audit {

enum class FaultKind {
  kHashMismatch,        // the event's fields or hash were changed
  kMissing,             // a chain position never appears: an event was deleted
  kReordered,           // positions appear out of seq order
  kUnchained,           // an event without a hash after the chain began
  kBadSignature,        // a checkpoint the server's key did not sign
  kCheckpointMismatch,  // a signed checkpoint disagrees with the recomputed chain
  kHeadMismatch,        // the recorded chain head disagrees with the events
};
std::string_view to_string(FaultKind kind);

// The first place a project's chain does not hold.
struct ChainFault {
  FaultKind kind = FaultKind::kHashMismatch;
  std::int64_t seq = 0;       // the event named; for a lost tail, the checkpoint's or head's seq
  std::string event_id;       // empty when the event named is gone
  std::int64_t position = 0;  // where the chain breaks; for `missing`, the first position gone
  std::string detail;         // a sentence for people
};

// Where the writer says a project's chain ends.
struct ChainHead {
  std::int64_t position = 0;
  std::int64_t seq = 0;
  ChainHash hash{};
};

struct ChainReport {
  std::string project_id;
  std::int64_t events_checked = 0;       // chained events whose hash was recomputed
  std::int64_t events_before_chain = 0;  // stored before the chain began (no hash)
  std::int64_t checkpoints_checked = 0;
  // Positions 1..this were removed by retention: the walk starts after them.
  std::int64_t positions_removed_by_retention = 0;
  std::int64_t last_position = 0;
  std::int64_t last_seq = 0;
  ChainHash last_hash = kGenesisHash;
  std::optional<ChainFault> fault;

  bool clean() const { return !fault.has_value(); }
};

// Walks one project's events in seq order, recomputing each link and
// holding the chain against its signed checkpoints, and stops at the first
// fault. Memory stays constant in the number of events.
class ChainVerifier {
 public:
  // `checkpoints` in position order.
  ChainVerifier(std::string project_id, PublicKey key, std::vector<Checkpoint> checkpoints);

  // Retention removed the chain up to `horizon` (its last removed position,
  // seq and hash): the walk continues from there. Events at or before the
  // horizon's seq that a cut-short pass left are passed over, and checkpoints
  // at or below it are checked for their signature only (and against the
  // horizon's hash where they name it). Call before the first add().
  void start_after(const ChainHead& horizon);
  // The next event by seq; `stored_hash` unset for an event without one
  // (then `event.position` is ignored).
  void add(const ChainedEvent& event, const std::optional<ChainHash>& stored_hash);
  // True once a fault is settled: later events change nothing.
  bool done() const { return report_.fault.has_value() && !lookahead_; }
  // `recorded_head` is what the writer recorded, when there is a record.
  ChainReport finish(const std::optional<ChainHead>& recorded_head);

 private:
  void add_chained(const ChainedEvent& event, const std::optional<ChainHash>& stored_hash);
  // The next checkpoint at or before `position`, when it is signed by our
  // key for this project; a forged one fails the report. Null when none is
  // left to check there.
  const Checkpoint* next_signed_checkpoint_through(std::int64_t position);
  void check_checkpoints_at(const ChainedEvent& event);
  void check_checkpoints_past_end();
  void check_head(const ChainHead& head);
  void fail(FaultKind kind, std::int64_t seq, std::string_view event_id, std::int64_t position,
            std::string detail);

  PublicKey key_;
  std::vector<Checkpoint> checkpoints_;
  std::size_t next_checkpoint_ = 0;
  ChainReport report_;
  std::string encoding_;  // reused for every event
  // Set after a jump in positions: the position looked for further on,
  // which tells a reorder (it comes) from a deletion (it never does).
  std::optional<std::int64_t> lookahead_;
  std::int64_t horizon_seq_ = 0;  // events up to it are passed over
};

}  // namespace agentsudo::server::audit
