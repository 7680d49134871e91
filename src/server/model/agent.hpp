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

// What a change of an agent's settings asks for; members left empty keep
// their value. Applied inside the store's transaction, so two concurrent
// changes of different settings both stay.
struct AgentSettingsChange {
  std::optional<std::vector<std::string>> scopes;
  std::optional<std::string> role;
  std::optional<std::int64_t> session_ttl_seconds;

  void apply_to(AgentSettings& settings) const {
    if (scopes)
      settings.scopes = *scopes;
    if (role)
      settings.role = *role;
    if (session_ttl_seconds)
      settings.session_ttl_seconds = *session_ttl_seconds;
  }
};

struct Agent {
  std::string id;  // public uuid
  std::string name;
  AgentSettings settings;
  UnixMicros created_at = 0;
  std::optional<UnixMicros> last_seen_at;  // written by the ingest path
};

}  // namespace agentsudo::server
