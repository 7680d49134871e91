#pragma once

#include <atomic>
#include <chrono>

#include "core/timestamp.hpp"

namespace agentsudo {

// Wall-clock event times from one monotonic clock read. A guarded call reads
// the monotonic clock anyway (for the session's TTL); deriving the event's
// time from it, rather than reading the wall clock too, halves the calling
// thread's clock cost. The offset between the two clocks is refreshed by the
// telemetry thread, so clock adjustments reach event times within a batch.
class EventClock {
 public:
  using Steady = std::chrono::steady_clock;

  // The wall-clock time, in microseconds since the epoch, of `now`.
  static UnixMicros wall_time(Steady::time_point now) noexcept {
    return offset().load(std::memory_order_relaxed) + micros(now.time_since_epoch());
  }

  static UnixMicros wall_time_now() noexcept { return wall_time(Steady::now()); }

  // Re-reads both clocks. Called from the telemetry thread, off the hot path.
  static void refresh() noexcept { offset().store(current_offset(), std::memory_order_relaxed); }

 private:
  template <class Duration>
  static UnixMicros micros(Duration d) noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  }

  static UnixMicros current_offset() noexcept {
    return micros(std::chrono::system_clock::now().time_since_epoch()) -
           micros(Steady::now().time_since_epoch());
  }

  static std::atomic<UnixMicros>& offset() noexcept {
    static std::atomic<UnixMicros> value{current_offset()};
    return value;
  }
};

}  // namespace agentsudo
