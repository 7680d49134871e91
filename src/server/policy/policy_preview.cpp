#include "server/policy/policy_preview.hpp"

#include <algorithm>

#include "core/scope_pattern.hpp"

namespace agentsudo::server {
namespace {

void sort_by_calls(std::vector<ScopeShift>& shifts) {
  std::sort(shifts.begin(), shifts.end(), [](const ScopeShift& a, const ScopeShift& b) {
    return a.calls != b.calls ? a.calls > b.calls : a.scope < b.scope;
  });
}

}  // namespace

PolicyPreview preview_scopes(std::span<const AgentScopeUsage> usage,
                             const std::vector<std::string>& new_scopes) {
  ScopeSet held(new_scopes);
  PolicyPreview preview;
  for (const auto& scope : usage) {
    preview.calls += scope.requests;
    std::int64_t granted = scope.requests - scope.denials;
    if (held.allows(scope.scope)) {
      if (scope.denials > 0) {
        preview.newly_granted += scope.denials;
        preview.granted_scopes.push_back({scope.scope, scope.denials});
      }
    } else if (granted > 0) {
      preview.newly_denied += granted;
      preview.denied_scopes.push_back({scope.scope, granted});
    }
  }
  sort_by_calls(preview.denied_scopes);
  sort_by_calls(preview.granted_scopes);
  return preview;
}

}  // namespace agentsudo::server
