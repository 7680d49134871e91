#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agentsudo/errors.hpp"
#include "sdk/managed_agent_policy.hpp"
#include "sdk/snapshot_reclaimer.hpp"

namespace agentsudo::detail {

// What a managed agent's check decided, with what its event and its denial
// message need, copied out of the one snapshot the decision used.
struct ManagedDecision {
  DenialReason reason = DenialReason::kNoPolicy;
  // -1 when no policy had arrived.
  std::int64_t version = -1;
  // The held scope that granted; empty when denied.
  std::string matched;
  std::string role;
  std::chrono::seconds session_ttl{0};
  // The scopes held, copied only for a denial's message.
  std::vector<std::string> scopes;
};

// Copies the snapshot's part of `out`. Out of line: only events and denials
// need it.
void describe_decision(const ManagedAgentPolicy* policy, std::uint32_t matched,
                       ManagedDecision& out);

// Decides `scope` for the managed agent of `slot` whose session began at
// `started_at`, reading its policy inside a read section: no lock, no
// reference count, and the snapshot cannot be freed until the section ends.
// Fills `out` when `describe` is true or the check denies. Throws only
// std::bad_alloc while copying into `out`.
inline DenialReason decide_managed(const ManagedAgentSlot& slot,
                                   std::chrono::steady_clock::time_point started_at,
                                   std::string_view scope,
                                   std::chrono::steady_clock::time_point now, bool describe,
                                   ManagedDecision& out) {
  SnapshotReclaimer::ReadSection section;
  const ManagedAgentPolicy* policy = slot.policy.load(std::memory_order_acquire);
  DenialReason reason = DenialReason::kNone;
  std::uint32_t matched = ScopeSet::kNoMatch;
  // An agent the policy does not list has no scopes and a TTL of 0, so the
  // granting path needs no test of `known`; denials sort out why.
  if (policy == nullptr) [[unlikely]] {
    reason = DenialReason::kNoPolicy;
  } else if (now >= started_at + policy->session_ttl) [[unlikely]] {
    reason = policy->known ? DenialReason::kSessionExpired : DenialReason::kUnknownAgent;
  } else {
    matched = policy->compiled_scopes.match(scope);
    if (matched == ScopeSet::kNoMatch)
      reason = policy->known ? DenialReason::kScopeNotHeld : DenialReason::kUnknownAgent;
  }
  out.reason = reason;
  if (describe || reason != DenialReason::kNone) [[unlikely]]
    describe_decision(policy, matched, out);
  return reason;
}

}  // namespace agentsudo::detail
