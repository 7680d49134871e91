#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "server/store/analytics_store.hpp"

namespace agentsudo::server {

// Calls to one scope that a change would have decided the other way.
struct ScopeShift {
  std::string scope;
  std::int64_t calls = 0;
};

// What a change of one agent's scopes would have done to its recorded calls:
// the calls granted then that the new scopes deny, and the calls denied then
// that they grant. Computed from the per-agent scope aggregates, never from
// the events.
struct PolicyPreview {
  std::int64_t calls = 0;                  // the agent's calls with a scope in the window
  std::int64_t newly_denied = 0;           // granted then, denied by the new scopes
  std::int64_t newly_granted = 0;          // denied then, granted by the new scopes
  std::vector<ScopeShift> denied_scopes;   // most calls first
  std::vector<ScopeShift> granted_scopes;  // most calls first
};

PolicyPreview preview_scopes(std::span<const AgentScopeUsage> usage,
                             const std::vector<std::string>& new_scopes);

}  // namespace agentsudo::server
