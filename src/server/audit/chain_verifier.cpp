#include "server/audit/chain_verifier.hpp"

#include <utility>

namespace agentsudo::server::audit {
namespace {

std::string at(std::int64_t position, std::int64_t seq) {
  return "chain position " + std::to_string(position) + " (seq " + std::to_string(seq) + ")";
}

}  // namespace

std::string_view to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kHashMismatch:
      return "hash_mismatch";
    case FaultKind::kMissing:
      return "missing";
    case FaultKind::kReordered:
      return "reordered";
    case FaultKind::kUnchained:
      return "unchained";
    case FaultKind::kBadSignature:
      return "bad_signature";
    case FaultKind::kCheckpointMismatch:
      return "checkpoint_mismatch";
    case FaultKind::kHeadMismatch:
      return "head_mismatch";
  }
  return "unknown";
}

ChainVerifier::ChainVerifier(std::string project_id, PublicKey key,
                             std::vector<Checkpoint> checkpoints)
    : key_(key), checkpoints_(std::move(checkpoints)) {
  report_.project_id = std::move(project_id);
}

void ChainVerifier::start_after(const ChainHead& horizon) {
  report_.positions_removed_by_retention = horizon.position;
  report_.last_position = horizon.position;
  report_.last_seq = horizon.seq;
  report_.last_hash = horizon.hash;
  horizon_seq_ = horizon.seq;
  while (const Checkpoint* signed_checkpoint = next_signed_checkpoint_through(horizon.position)) {
    const Checkpoint& checkpoint = *signed_checkpoint;
    if (checkpoint.position == horizon.position &&
        (checkpoint.seq != horizon.seq || checkpoint.hash != horizon.hash)) {
      fail(FaultKind::kCheckpointMismatch, checkpoint.seq, {}, checkpoint.position,
           "the signed checkpoint at " + at(checkpoint.position, checkpoint.seq) +
               " does not match the retention horizon recorded there");
    } else {
      ++report_.checkpoints_checked;
    }
  }
}

void ChainVerifier::add(const ChainedEvent& event, const std::optional<ChainHash>& stored_hash) {
  if (event.seq <= horizon_seq_)
    return;
  if (lookahead_) {
    if (stored_hash && event.position == *lookahead_) {
      report_.fault->kind = FaultKind::kReordered;
      report_.fault->detail += "; position " + std::to_string(*lookahead_) +
                               " comes later, at seq " + std::to_string(event.seq) +
                               ": events were reordered";
      lookahead_.reset();
    }
    return;
  }
  if (report_.fault)
    return;
  if (!stored_hash) {
    if (report_.last_position == 0) {
      ++report_.events_before_chain;
    } else {
      fail(
          FaultKind::kUnchained, event.seq, event.event_id, 0,
          "the event has no chain hash but follows " + at(report_.last_position, report_.last_seq));
    }
    return;
  }
  add_chained(event, stored_hash);
}

void ChainVerifier::add_chained(const ChainedEvent& event,
                                const std::optional<ChainHash>& stored_hash) {
  std::int64_t expected = report_.last_position + 1;
  if (event.position < expected) {
    fail(FaultKind::kReordered, event.seq, event.event_id, event.position,
         "the event is chain position " + std::to_string(event.position) + " but follows " +
             at(report_.last_position, report_.last_seq));
    return;
  }
  if (event.position > expected) {
    fail(FaultKind::kMissing, event.seq, event.event_id, expected,
         "chain position " + std::to_string(expected) + " is missing before this event (position " +
             std::to_string(event.position) + ")");
    lookahead_ = expected;
    return;
  }
  encoding_.clear();
  append_canonical_event(event, encoding_);
  ChainHash computed = next_chain_hash(report_.last_hash, encoding_);
  if (computed != *stored_hash) {
    fail(FaultKind::kHashMismatch, event.seq, event.event_id, event.position,
         "the stored hash does not match the event's fields and the chain before it");
    return;
  }
  report_.last_position = event.position;
  report_.last_seq = event.seq;
  report_.last_hash = computed;
  ++report_.events_checked;
  check_checkpoints_at(event);
}

const Checkpoint* ChainVerifier::next_signed_checkpoint_through(std::int64_t position) {
  if (report_.fault || next_checkpoint_ >= checkpoints_.size() ||
      checkpoints_[next_checkpoint_].position > position)
    return nullptr;
  const Checkpoint& checkpoint = checkpoints_[next_checkpoint_++];
  if (checkpoint_signature_is_valid(checkpoint, key_) &&
      checkpoint.project_id == report_.project_id)
    return &checkpoint;
  fail(FaultKind::kBadSignature, checkpoint.seq, {}, checkpoint.position,
       "the checkpoint at " + at(checkpoint.position, checkpoint.seq) +
           " is not signed by this server's key");
  return nullptr;
}

void ChainVerifier::check_checkpoints_at(const ChainedEvent& event) {
  while (const Checkpoint* signed_checkpoint = next_signed_checkpoint_through(event.position)) {
    const Checkpoint& checkpoint = *signed_checkpoint;
    if (checkpoint.position != event.position || checkpoint.seq != event.seq ||
        checkpoint.hash != report_.last_hash) {
      fail(FaultKind::kCheckpointMismatch, event.seq, event.event_id, event.position,
           "the signed checkpoint at " + at(checkpoint.position, checkpoint.seq) +
               " does not match the chain recomputed here: an event at or before it was "
               "rewritten");
    } else {
      ++report_.checkpoints_checked;
    }
  }
}

void ChainVerifier::check_checkpoints_past_end() {
  while (!report_.fault && next_checkpoint_ < checkpoints_.size()) {
    const Checkpoint& checkpoint = checkpoints_[next_checkpoint_++];
    if (!checkpoint_signature_is_valid(checkpoint, key_) ||
        checkpoint.project_id != report_.project_id) {
      fail(FaultKind::kBadSignature, checkpoint.seq, {}, checkpoint.position,
           "the checkpoint at " + at(checkpoint.position, checkpoint.seq) +
               " is not signed by this server's key");
    } else {
      fail(FaultKind::kMissing, checkpoint.seq, {}, report_.last_position + 1,
           "a signed checkpoint names " + at(checkpoint.position, checkpoint.seq) +
               " but the chain ends at " + at(report_.last_position, report_.last_seq) +
               ": the events after it are missing");
    }
  }
}

void ChainVerifier::check_head(const ChainHead& head) {
  if (head.position > report_.last_position) {
    fail(FaultKind::kMissing, head.seq, {}, report_.last_position + 1,
         "the chain head is " + at(head.position, head.seq) + " but the chain ends at " +
             at(report_.last_position, report_.last_seq) + ": the events after it are missing");
  } else if (head.position != report_.last_position || head.seq != report_.last_seq ||
             head.hash != report_.last_hash) {
    fail(FaultKind::kHeadMismatch, report_.last_seq, {}, report_.last_position,
         "the recorded chain head (" + at(head.position, head.seq) +
             ") does not match the end of the chain");
  }
}

ChainReport ChainVerifier::finish(const std::optional<ChainHead>& recorded_head) {
  lookahead_.reset();
  check_checkpoints_past_end();
  if (!report_.fault && recorded_head)
    check_head(*recorded_head);
  return report_;
}

void ChainVerifier::fail(FaultKind kind, std::int64_t seq, std::string_view event_id,
                         std::int64_t position, std::string detail) {
  report_.fault = ChainFault{kind, seq, std::string(event_id), position, std::move(detail)};
}

}  // namespace agentsudo::server::audit
