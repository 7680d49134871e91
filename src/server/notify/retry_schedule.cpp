#include "server/notify/retry_schedule.hpp"

#include <algorithm>

namespace agentsudo::server {

std::optional<UnixMicros> RetrySchedule::next_attempt(std::int64_t attempts_made,
                                                      UnixMicros failed_at) {
  if (attempts_made >= kMaxAttempts)
    return std::nullopt;
  auto delay = kFirstDelay;
  for (std::int64_t i = 1; i < attempts_made && delay < kMaxDelay; ++i)
    delay *= 2;
  delay = std::min(delay, kMaxDelay);
  return failed_at + std::chrono::duration_cast<std::chrono::microseconds>(delay).count();
}

}  // namespace agentsudo::server
