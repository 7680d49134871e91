#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/scope_pattern.hpp"

namespace agentsudo::detail {

// What one version of the server's policy says about one managed agent,
// compiled for checks. A check reads one of these from start to end, so the
// scopes it used and the version it records always belong together.
//
// Immutable once published; freed through SnapshotReclaimer only.
struct ManagedAgentPolicy {
  std::int64_t version = 0;
  // False when this version does not list the agent: everything is denied
  // (the scopes are then empty and the TTL 0, which checks rely on).
  bool known = false;
  std::string role;
  std::chrono::seconds session_ttl{0};
  // As the server sent them, for messages, accessors and `matched`.
  std::vector<std::string> scopes;
  ScopeSet compiled_scopes;
};

// The policy of every managed agent of one name: what checks load. Lives
// until the process ends (agents and sessions point at it).
struct ManagedAgentSlot {
  std::string name;
  // Null until the first policy; swapped by the policy thread.
  std::atomic<const ManagedAgentPolicy*> policy{nullptr};
};

}  // namespace agentsudo::detail
