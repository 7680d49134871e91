#include "server/quota/quota_counter.hpp"

#include <algorithm>

namespace agentsudo::server {

QuotaCounter::QuotaCounter(UsageLoader load_usage) : load_usage_(std::move(load_usage)) {}

Result<QuotaDecision> QuotaCounter::reserve(std::int64_t project_rowid, std::int64_t limit,
                                            std::int64_t n, UnixMicros now) {
  std::int64_t today = utc_day(now);
  QuotaDecision decision;
  decision.limit = limit;
  decision.day = today;
  decision.resets_at = (today + 1) * kMicrosPerDay;

  std::lock_guard lock(mutex_);
  DayCount& count = counts_[project_rowid];
  if (count.day != today) {
    auto stored = load_usage_(project_rowid, today);
    if (!stored) {
      counts_.erase(project_rowid);
      return stored.take_error();
    }
    count = DayCount{today, *stored};
  }
  decision.granted = count.used + n <= limit;
  if (decision.granted)
    count.used += n;
  decision.remaining = std::max<std::int64_t>(0, limit - count.used);
  return decision;
}

void QuotaCounter::release(std::int64_t project_rowid, std::int64_t day, std::int64_t n) {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(project_rowid);
  if (it != counts_.end() && it->second.day == day)
    it->second.used -= n;
}

void QuotaCounter::observe(std::int64_t project_rowid, std::int64_t day, std::int64_t stored) {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(project_rowid);
  if (it != counts_.end() && it->second.day == day)
    it->second.used = std::max(it->second.used, stored);
}

}  // namespace agentsudo::server
