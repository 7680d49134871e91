#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agentsudo/agent.hpp"
#include "agentsudo/guardrails.hpp"
#include "core/scope_pattern.hpp"
#include "sdk/managed_agent_policy.hpp"

namespace agentsudo::detail {

// The immutable state behind an Agent handle.
struct AgentState {
  std::string name;
  // For a local agent, its own; unused for a managed one (see `managed`).
  std::string role;
  std::chrono::seconds session_ttl{0};
  // As given, for messages and accessors.
  std::vector<std::string> scopes;
  // The same scopes compiled for checks.
  ScopeSet compiled_scopes;
  std::shared_ptr<const Guardrails> guardrails;
  // Set for a managed agent: its scopes, role and TTL are the policy there.
  const ManagedAgentSlot* managed = nullptr;
};

// The SDK's way into an Agent handle.
struct AgentAccess {
  static const AgentState& state(const Agent& agent) noexcept { return *agent.state_; }
  static Agent make(std::shared_ptr<const AgentState> state) { return Agent(std::move(state)); }
};

}  // namespace agentsudo::detail
