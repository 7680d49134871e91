#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/timestamp.hpp"
#include "server/model/tier.hpp"

namespace agentsudo::server {

struct Project {
  std::int64_t rowid = 0;  // internal key; never leaves the server
  std::string id;          // public uuid
  std::string name;
  Tier tier;
  UnixMicros created_at = 0;
  // Whole UTC days of events kept (today and the days before); unset keeps
  // everything.
  std::optional<std::int64_t> retention_days;
  // From when the project's events are complete: the retention cutoff once a
  // sweep removed anything, else the first stored event's receive time;
  // unset when there are no events.
  std::optional<UnixMicros> data_since;
};

// The bounds PATCH and the CLI accept for retention_days (100 years).
inline constexpr std::int64_t kMinRetentionDays = 1;
inline constexpr std::int64_t kMaxRetentionDays = 36500;

struct ApiKeyRecord {
  std::string id;
  std::string project_id;
  std::string prefix;
  UnixMicros created_at = 0;
  std::optional<UnixMicros> revoked_at;
  // Kept to the minute by the ingest path; null until the key is first used.
  std::optional<UnixMicros> last_used_at;
};

// What a change of a project asks for; members left empty stay as they are.
struct ProjectChanges {
  std::optional<std::string> name;
  std::optional<Tier> tier;
  // Set to change the retention; an inner null keeps everything again.
  std::optional<std::optional<std::int64_t>> retention_days;
};

// The project an active API key writes to, with what its quota needs.
struct KeyOwner {
  std::int64_t project_rowid = 0;
  std::string project_id;
  std::int64_t daily_quota = 0;
  std::int64_t key_rowid = 0;  // the key itself, for its last-used time
};

}  // namespace agentsudo::server
