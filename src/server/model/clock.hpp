#pragma once

#include <atomic>
#include <chrono>

#include "core/timestamp.hpp"

namespace agentsudo::server {

// The server's source of "now". Everything that depends on the date (quota
// days, receipt times) asks a Clock, so tests can move time. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixMicros now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixMicros now() const override {
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count();
  }
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixMicros start) : now_(start) {}
  UnixMicros now() const override { return now_.load(); }
  void set(UnixMicros t) { now_.store(t); }
  void advance(UnixMicros by) { now_.fetch_add(by); }

 private:
  std::atomic<UnixMicros> now_;
};

}  // namespace agentsudo::server
