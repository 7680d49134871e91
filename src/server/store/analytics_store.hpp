#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/timestamp.hpp"
#include "server/model/error.hpp"
#include "server/store/activity_tally.hpp"

namespace agentsudo::server {

// A run of whole buckets of one period: [first, last], both inclusive.
struct AnalyticsWindow {
  std::int64_t project_rowid = 0;
  Period period = Period::kDay;
  std::int64_t first = 0;
  std::int64_t last = 0;
};

struct BucketActivity {
  std::int64_t bucket = 0;
  std::int64_t allowed = 0;
  std::int64_t denied = 0;
};

struct AgentActivity {
  std::string agent_id;  // public uuid
  std::string agent_name;
  std::int64_t events = 0;
  std::int64_t denials = 0;
  UnixMicros last_active = 0;
};

struct ScopeUsage {
  std::string scope;
  std::int64_t requests = 0;
  std::int64_t denials = 0;
  std::int64_t agents = 0;  // distinct agents that asked for it
};

// What a project did in a window, read from the aggregates alone.
struct ActivityReport {
  std::int64_t agents = 0;  // distinct agents with events
  // Sessions whose first-to-last span meets the window.
  std::int64_t sessions = 0;
  std::vector<BucketActivity> series;     // only the buckets that have events
  std::vector<AgentActivity> top_agents;  // most events first
  std::vector<ScopeUsage> top_scopes;     // most requests first
};

struct DayCount {
  std::int64_t day = 0;  // see utc_day()
  std::int64_t events = 0;
};

// How often one agent asked for one scope in a window, and how often it was
// denied.
struct AgentScopeUsage {
  std::string scope;
  std::int64_t requests = 0;
  std::int64_t denials = 0;
};

// Reads of the analytics aggregates that the commit writer keeps with the
// events (EventStore::append). No read scans the events table. Thread-safe.
class AnalyticsStore {
 public:
  virtual ~AnalyticsStore() = default;

  // `max_rows` bounds the agent and scope lists.
  virtual Result<ActivityReport> activity(const AnalyticsWindow& window, std::size_t max_rows) = 0;

  // Every distinct scope the project's events asked for, sorted; at most
  // `max_scopes`.
  virtual Result<std::vector<std::string>> scopes_seen(std::int64_t project_rowid,
                                                       std::size_t max_scopes) = 0;

  // The scopes one agent (by public id) asked for in the window's buckets,
  // with counts; at most `max_scopes`, most requested first.
  virtual Result<std::vector<AgentScopeUsage>> agent_scope_usage(const AnalyticsWindow& window,
                                                                 std::string_view agent_id,
                                                                 std::size_t max_scopes) = 0;

  // Events received per UTC day in [first_day, last_day] (the quota's
  // count), only the days that have any.
  virtual Result<std::vector<DayCount>> received_per_day(std::int64_t project_rowid,
                                                         std::int64_t first_day,
                                                         std::int64_t last_day) = 0;
};

}  // namespace agentsudo::server
