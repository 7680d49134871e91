#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/timestamp.hpp"

namespace agentsudo::server {

// What a person configures for an agent; agents first seen at ingest start
// with these defaults.
struct AgentSettings {
  std::vector<std::string> scopes;
  std::string role = "worker";
  std::int64_t session_ttl_seconds = 3600;
};

struct Agent {
  std::string id;  // public uuid
  std::string name;
  AgentSettings settings;
  UnixMicros created_at = 0;
  std::optional<UnixMicros> last_seen_at;  // written by the ingest path
};

}  // namespace agentsudo::server
