#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/timestamp.hpp"

namespace agentsudo::server {

// When a failed delivery is tried again: 1 s after the first failure, then
// twice as long after each one (2 s, 4 s ... 64 s, capped at 10 minutes),
// and never after the kMaxAttempts-th. So the attempts run at about 0, 1,
// 3, 7, 15, 31, 63 and 127 s after the notification.
struct RetrySchedule {
  static constexpr std::int64_t kMaxAttempts = 8;
  static constexpr std::chrono::seconds kFirstDelay{1};
  static constexpr std::chrono::seconds kMaxDelay{600};

  // After `attempts_made` failed attempts (1 or more), the time of the next
  // one, or nothing when the delivery is given up.
  static std::optional<UnixMicros> next_attempt(std::int64_t attempts_made, UnixMicros failed_at);
};

}  // namespace agentsudo::server
