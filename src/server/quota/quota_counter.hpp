#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "core/timestamp.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server {

// The answer to "may this project store n more events today?", with what the
// rate-limit headers report.
struct QuotaDecision {
  bool granted = false;
  std::int64_t limit = 0;
  std::int64_t remaining = 0;  // after this reservation, if granted
  UnixMicros resets_at = 0;    // the next UTC midnight
  std::int64_t day = 0;        // the UTC day the reservation counts toward
};

// Per-project daily event counters. A reservation is taken before events are
// written and released if the write fails, so concurrent requests can never
// overshoot a quota. With several nodes on one store this node's count is a
// first filter; the store's check at commit (EventBatch::daily_quota) decides. The count for a day
// starts from what the store already holds (after a restart). Thread-safe.
class QuotaCounter {
 public:
  // Events already stored for (project, UTC day).
  using UsageLoader = std::function<Result<std::int64_t>(std::int64_t, std::int64_t)>;

  explicit QuotaCounter(UsageLoader load_usage);

  // Reserves `n` events of the project's quota for the UTC day of `now`;
  // a request that does not fit whole is refused whole.
  Result<QuotaDecision> reserve(std::int64_t project_rowid, std::int64_t limit, std::int64_t n,
                                UnixMicros now);

  // Gives back a granted reservation whose events were not stored.
  void release(std::int64_t project_rowid, std::int64_t day, std::int64_t n);

  // The store says the project holds `stored` events for the day (other
  // nodes' included): the count never stays below it.
  void observe(std::int64_t project_rowid, std::int64_t day, std::int64_t stored);

 private:
  struct DayCount {
    std::int64_t day = -1;
    std::int64_t used = 0;  // stored or reserved
  };

  UsageLoader load_usage_;
  std::mutex mutex_;
  std::unordered_map<std::int64_t, DayCount> counts_;  // guarded by mutex_
};

}  // namespace agentsudo::server
