#pragma once

#include <cstddef>
#include <vector>

#include "event_record.hpp"

namespace agentsudo {

// A fixed-capacity FIFO of events, allocated once: pushing never allocates,
// and a full ring refuses instead of growing.
//
// Not thread-safe: TelemetryClient guards it with its mutex.
class EventRing {
 public:
  explicit EventRing(std::size_t capacity) : slots_(capacity) {}

  // Moves `event` in and returns true, or returns false if the ring is full.
  bool push(EventRecord&& event) {
    if (size_ == slots_.size()) return false;
    slots_[(head_ + size_) % slots_.size()] = std::move(event);
    ++size_;
    return true;
  }

  // Moves up to `max` of the oldest events to the end of `out`.
  void pop_into(std::vector<EventRecord>& out, std::size_t max) {
    while (size_ > 0 && max-- > 0) {
      out.push_back(std::move(slots_[head_]));
      head_ = (head_ + 1) % slots_.size();
      --size_;
    }
  }

  // Drops every event and frees the slots; the ring refuses every push
  // afterwards. Returns how many events it held.
  std::size_t release() {
    std::size_t dropped = size_;
    std::vector<EventRecord>().swap(slots_);
    head_ = size_ = 0;
    return dropped;
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  std::vector<EventRecord> slots_;
  // Index of the oldest event.
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace agentsudo
