#include "sdk/managed_decision.hpp"

namespace agentsudo::detail {

void describe_decision(const ManagedAgentPolicy* policy, std::uint32_t matched,
                       ManagedDecision& out) {
  if (policy == nullptr)
    return;
  out.version = policy->version;
  out.role = policy->role;
  out.session_ttl = policy->session_ttl;
  if (matched != ScopeSet::kNoMatch)
    out.matched = policy->scopes[matched];
  if (out.reason != DenialReason::kNone)
    out.scopes = policy->scopes;
}

}  // namespace agentsudo::detail
