#pragma once

#include <cstddef>
#include <vector>

#include "sdk/event_record.hpp"

namespace agentsudo {

// The events waiting for the sender: a bounded vector, preallocated so that
// pushing never allocates, and taken whole by swapping so that neither side
// holds the lock for longer than a move. A full buffer refuses instead of
// growing.
//
// Not thread-safe: TelemetryClient guards it with its mutex.
class EventBuffer {
 public:
  explicit EventBuffer(std::size_t capacity) : capacity_(capacity) { events_.reserve(capacity); }

  // Moves `event` in and returns true, or returns false if the buffer is full.
  bool push(EventRecord&& event) {
    if (events_.size() >= capacity_)
      return false;
    events_.push_back(std::move(event));
    return true;
  }

  // Exchanges the waiting events with `taken`, which must be empty; its
  // reserved capacity becomes this buffer's, so pushes stay allocation-free
  // when the caller reserved `capacity()` for it.
  void take_all(std::vector<EventRecord>& taken) { events_.swap(taken); }

  // Drops every event and frees the memory; the buffer refuses every push
  // afterwards. Returns how many events it held.
  std::size_t release() {
    std::size_t dropped = events_.size();
    std::vector<EventRecord>().swap(events_);
    capacity_ = 0;
    return dropped;
  }

  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t size() const noexcept { return events_.size(); }
  bool empty() const noexcept { return events_.empty(); }

 private:
  std::size_t capacity_;
  std::vector<EventRecord> events_;
};

}  // namespace agentsudo
