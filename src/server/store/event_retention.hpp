#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/timestamp.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server {

// What one sweep removed from one project.
struct ProjectRetentionResult {
  std::string project_id;
  std::int64_t cutoff_day = 0;  // the first UTC day kept (see utc_day())
  std::int64_t events_removed = 0;
  // The chain positions retention has removed so far (the horizon), 0 when
  // none were chained.
  std::int64_t chain_positions_removed = 0;
};

struct RetentionPass {
  std::vector<ProjectRetentionResult> projects;  // those with a retention
  std::int64_t events_removed = 0;
  std::int64_t partitions_dropped = 0;  // PostgreSQL day partitions
  // Another node held the sweep when this one tried: it did nothing.
  bool skipped = false;
};

// The cutoff of a retention of `days` whole UTC days at `now`: today and the
// days-1 days before are kept.
constexpr std::int64_t retention_cutoff_day(UnixMicros now, std::int64_t days) {
  return utc_day(now) - days + 1;
}

// Removes the events older than each project's retention, with the
// aggregate rows of the days removed, in short steps that never hold the
// event writer for long. Events go as a prefix of each project's seq order
// (up to its first event received on or after the cutoff), so that the
// audit chain loses a prefix only; the project's chain horizon (the last
// position removed and its hash) is recorded before the first event goes.
// Thread-safe.
class EventRetention {
 public:
  virtual ~EventRetention() = default;

  virtual Result<RetentionPass> sweep(UnixMicros now) = 0;
};

}  // namespace agentsudo::server
