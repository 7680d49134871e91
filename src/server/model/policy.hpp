#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/timestamp.hpp"
#include "server/model/agent.hpp"

namespace agentsudo::server {

// One agent as the policy states it.
struct PolicyAgent {
  std::string name;
  AgentSettings settings;
};

// A project's policy at one version: the agents a person has configured,
// sorted by name. Version 0 is the policy before any change.
struct Policy {
  std::int64_t version = 0;
  std::vector<PolicyAgent> agents;
};

// Who changed the policy, as the history shows it: a user's email, or
// "operator" for a management token. Never taken from a request body.
struct ChangeAuthor {
  std::string name;
};

enum class PolicyChangeKind { kCreated, kUpdated, kDeleted };

inline const char* to_string(PolicyChangeKind kind) {
  switch (kind) {
    case PolicyChangeKind::kCreated:
      return "created";
    case PolicyChangeKind::kDeleted:
      return "deleted";
    case PolicyChangeKind::kUpdated:
      break;
  }
  return "updated";
}

// One entry of an agent's policy history.
struct PolicyChange {
  std::int64_t version = 0;
  PolicyChangeKind kind = PolicyChangeKind::kUpdated;
  std::string agent_name;
  std::string changed_by;
  std::optional<AgentSettings> old_settings;  // none when created
  std::optional<AgentSettings> new_settings;  // none when deleted
  std::string event_id;                       // its policy_changed event
  UnixMicros changed_at = 0;
};

}  // namespace agentsudo::server
