#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "core/event.hpp"

namespace agentsudo::server {

// The two sizes of an aggregate bucket: hours serve the last 24 hours, days
// the longer windows.
enum class Period : std::int8_t { kHour = 0, kDay = 1 };

// The bucket (hours or days since the Unix epoch) that holds `t`.
std::int64_t bucket_of(Period period, UnixMicros t);
// When the bucket starts.
UnixMicros bucket_start(Period period, std::int64_t bucket);

// One project's bucket of one period.
struct BucketKey {
  std::int64_t project_rowid = 0;
  Period period = Period::kHour;
  std::int64_t bucket = 0;
  auto operator<=>(const BucketKey&) const = default;
};

struct ActivityCount {
  std::int64_t allowed = 0;
  std::int64_t denied = 0;
};

struct AgentCount {
  std::int64_t events = 0;
  std::int64_t denials = 0;
  UnixMicros last_active = 0;  // the latest event timestamp in the bucket
};

struct ScopeCount {
  std::int64_t requests = 0;
  std::int64_t denials = 0;
};

// When a session's events in a commit start and end.
struct SessionSpan {
  UnixMicros first_active = 0;
  UnixMicros last_active = 0;
};

// The session an event belongs to: its metadata.session_id or, for clients
// that send none, one session per agent per UTC day. Stable across runs.
std::uint64_t session_key(const Event& event, std::int64_t agent_rowid, UnixMicros timestamp);

// What one group commit adds to the analytics aggregates, summed in memory so
// that the store upserts each distinct key once per commit instead of once
// per event. Not thread-safe: the commit writer owns one per transaction.
class ActivityTally {
 public:
  // Counts one event at its decision time `timestamp` into its hour and day.
  void add(std::int64_t project_rowid, std::int64_t agent_rowid, const Event& event,
           UnixMicros timestamp);

  bool empty() const { return activity_.empty(); }
  void clear();

  const std::map<BucketKey, ActivityCount>& activity() const { return activity_; }
  const std::map<std::pair<BucketKey, std::int64_t>, AgentCount>& agents() const { return agents_; }
  const std::map<std::pair<BucketKey, std::string>, ScopeCount>& scopes() const { return scopes_; }
  // Each agent's use of each scope in a bucket: distinct agents per scope,
  // and what a change of the agent's scopes would have decided differently.
  const std::map<std::tuple<BucketKey, std::string, std::int64_t>, ScopeCount>& scope_agents()
      const {
    return scope_agents_;
  }
  // (project, session key) -> the span of its events.
  const std::map<std::pair<std::int64_t, std::uint64_t>, SessionSpan>& sessions() const {
    return sessions_;
  }

 private:
  void add_to_bucket(const BucketKey& key, std::int64_t agent_rowid, const Event& event,
                     UnixMicros timestamp);

  std::map<BucketKey, ActivityCount> activity_;
  std::map<std::pair<BucketKey, std::int64_t>, AgentCount> agents_;
  std::map<std::pair<BucketKey, std::string>, ScopeCount> scopes_;
  std::map<std::tuple<BucketKey, std::string, std::int64_t>, ScopeCount> scope_agents_;
  std::map<std::pair<std::int64_t, std::uint64_t>, SessionSpan> sessions_;
};

}  // namespace agentsudo::server
