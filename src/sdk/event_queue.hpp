#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "core/timestamp.hpp"
#include "sdk/event_record.hpp"

namespace agentsudo {

// Events a sender took from the queue as one request, with the bytes they
// were charged.
struct EventBatch {
  std::vector<EventRecord> events;
  std::size_t bytes = 0;
  // How many events were taken; stays when `events` is cleared.
  std::size_t count = 0;
};

// The events waiting for the senders, kept as a line of batches of at most
// `batch_size` events, so that a sender takes a whole batch by moving one
// vector and the deciding threads never wait for a copy. Bounded in bytes
// (and optionally in events), counting the batches taken until they are
// given back: a full queue refuses instead of growing. Storage of batches
// given back is kept for reuse, so pushes rarely allocate.
//
// Not thread-safe: TelemetryClient guards it with its mutex.
class EventQueue {
 public:
  enum class PushResult { kRefused, kQueued, kFilledBatch };

  // `max_events` 0: no bound on the count.
  EventQueue(std::size_t batch_size, std::size_t max_bytes, std::size_t max_events);

  // What `event` is charged: its record plus the heap blocks only it owns
  // (strings longer than the inline buffer, guardrail and approval details).
  // Sessions and sites are shared with the caller and not counted.
  static std::size_t cost_of(const EventRecord& event) noexcept;

  // Moves `event` in and says whether it completed a batch, or refuses it
  // (leaving `event` untouched) when the bound would be passed, the queue was
  // released, or no memory was left for a new batch.
  PushResult push(EventRecord&& event, std::size_t cost) noexcept;

  bool has_full_batch() const noexcept {
    return !batches_.empty() && batches_.front().events.size() >= batch_size_;
  }
  // The time of the oldest waiting event. REQUIRES: !empty().
  UnixMicros oldest_timestamp() const noexcept { return batches_.front().events.front().timestamp; }

  // Takes the oldest batch, full or not. REQUIRES: !empty(). Its bytes stay
  // charged until give_back().
  EventBatch take_batch();

  // Ends a taken batch's charge and keeps its storage for reuse. The caller
  // should clear `batch.events` first, outside its lock.
  void give_back(EventBatch&& batch) noexcept;

  // Drops every waiting event; the queue refuses every push afterwards.
  // Returns how many events it held.
  std::size_t release() noexcept;

  // Events waiting (not the ones taken).
  std::size_t size() const noexcept { return waiting_; }
  bool empty() const noexcept { return waiting_ == 0; }
  // Bytes charged for the waiting and the taken events.
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  std::vector<EventRecord> fresh_storage();

  std::size_t batch_size_;
  std::size_t max_bytes_;
  std::size_t max_events_;
  bool released_ = false;
  std::deque<EventBatch> batches_;
  std::vector<std::vector<EventRecord>> spare_;  // Empty, with capacity batch_size_.
  std::size_t waiting_ = 0;                      // Events in batches_.
  std::size_t charged_events_ = 0;               // Waiting and taken.
  std::size_t bytes_ = 0;                        // Waiting and taken.
};

}  // namespace agentsudo
