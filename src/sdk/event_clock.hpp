#pragma once

#include <atomic>
#include <chrono>

#include "core/timestamp.hpp"

namespace agentsudo {

// The SDK's time: the monotonic time sessions expire by, and wall-clock event
// times derived from it. A guarded call reads the monotonic clock anyway (for
// the session's TTL); deriving the event's time from it, rather than reading
// the wall clock too, halves the calling thread's clock cost. The offset
// between the two clocks is refreshed by the telemetry thread, so clock
// adjustments reach event times within a batch.
//
// Tests move the SDK's time forward with set_offset_for_testing() instead of
// sleeping past a TTL. Thread-safe.
class EventClock {
 public:
  using Steady = std::chrono::steady_clock;

  // The monotonic time of session expiry and event stamps: the steady clock
  // plus the test offset. The offset costs a guarded call one relaxed load of
  // a word nothing writes outside tests, rather than an indirect call.
  static Steady::time_point now() noexcept {
    return Steady::now() + Steady::duration(test_offset_.load(std::memory_order_relaxed));
  }

  // The wall-clock time, in microseconds since the epoch, of `now`.
  static UnixMicros wall_time(Steady::time_point now) noexcept {
    return offset().load(std::memory_order_relaxed) + micros(now.time_since_epoch());
  }

  static UnixMicros wall_time_now() noexcept { return wall_time(now()); }

  // For tests only: from now on, now() reads `offset` ahead of the steady
  // clock (zero restores it). Sessions started earlier expire by the moved
  // time; telemetry's waits and retries keep the real clock.
  static void set_offset_for_testing(Steady::duration offset) noexcept {
    test_offset_.store(offset.count(), std::memory_order_relaxed);
  }

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

  // Constant-initialised, so reading it needs no guard for a static's first use.
  static inline constinit std::atomic<Steady::rep> test_offset_{0};
};

}  // namespace agentsudo
