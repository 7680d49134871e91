#include "server/store/activity_tally.hpp"

#include <algorithm>

namespace agentsudo::server {
namespace {

constexpr UnixMicros kMicrosPerHour = 3600 * kMicrosPerSecond;

// Floor division, so times before 1970 land in the right bucket too.
std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  return value >= 0 ? value / divisor : (value - divisor + 1) / divisor;
}

// FNV-1a: a stable 64-bit digest; collisions among a project's sessions are
// negligible at the counts a dashboard shows.
std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = 14695981039346656037ull) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

std::int64_t bucket_of(Period period, UnixMicros t) {
  return floor_div(t, period == Period::kHour ? kMicrosPerHour : kMicrosPerDay);
}

UnixMicros bucket_start(Period period, std::int64_t bucket) {
  return bucket * (period == Period::kHour ? kMicrosPerHour : kMicrosPerDay);
}

std::uint64_t session_key(const Event& event, std::int64_t agent_rowid, UnixMicros timestamp) {
  if (event.session_id)
    return fnv1a(*event.session_id, fnv1a("id:"));
  std::string implicit =
      std::to_string(agent_rowid) + "/" + std::to_string(bucket_of(Period::kDay, timestamp));
  return fnv1a(implicit, fnv1a("agent-day:"));
}

void ActivityTally::add(std::int64_t project_rowid, std::int64_t agent_rowid, const Event& event,
                        UnixMicros timestamp) {
  for (Period period : {Period::kHour, Period::kDay}) {
    add_to_bucket(BucketKey{project_rowid, period, bucket_of(period, timestamp)}, agent_rowid,
                  event, timestamp);
  }
  auto [span, added] =
      sessions_.try_emplace({project_rowid, session_key(event, agent_rowid, timestamp)},
                            SessionSpan{timestamp, timestamp});
  if (!added) {
    span->second.first_active = std::min(span->second.first_active, timestamp);
    span->second.last_active = std::max(span->second.last_active, timestamp);
  }
}

void ActivityTally::add_to_bucket(const BucketKey& key, std::int64_t agent_rowid,
                                  const Event& event, UnixMicros timestamp) {
  auto& activity = activity_[key];
  (event.allowed ? activity.allowed : activity.denied) += 1;

  auto& agent = agents_[{key, agent_rowid}];
  agent.events += 1;
  agent.denials += event.allowed ? 0 : 1;
  agent.last_active = std::max(agent.last_active, timestamp);

  if (event.scope) {
    auto& scope = scopes_[{key, *event.scope}];
    scope.requests += 1;
    scope.denials += event.allowed ? 0 : 1;
    auto& by_agent = scope_agents_[{key, *event.scope, agent_rowid}];
    by_agent.requests += 1;
    by_agent.denials += event.allowed ? 0 : 1;
  }
}

void ActivityTally::clear() {
  activity_.clear();
  agents_.clear();
  scopes_.clear();
  scope_agents_.clear();
  sessions_.clear();
}

}  // namespace agentsudo::server
