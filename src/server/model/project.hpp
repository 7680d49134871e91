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
};

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
};

// The project an active API key writes to, with what its quota needs.
struct KeyOwner {
  std::int64_t project_rowid = 0;
  std::string project_id;
  std::int64_t daily_quota = 0;
  std::int64_t key_rowid = 0;  // the key itself, for its last-used time
};

}  // namespace agentsudo::server
