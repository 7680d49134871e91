#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agentsudo/agent.hpp"
#include "agentsudo/session.hpp"
#include "sdk/managed_agent_policy.hpp"

namespace agentsudo::detail {

// The immutable state of one session, shared by the Session, the contexts
// carried to other threads and the events that still describe it.
struct SessionState {
  Agent agent;
  // 16 random hex digits.
  std::string id;
  // For a local agent; a managed agent's sessions expire by the TTL of the
  // policy each check reads, counted from started_at.
  std::chrono::steady_clock::time_point expires_at;
  std::chrono::steady_clock::time_point started_at;
  // The agent's policy slot when it is managed, else null: read on the
  // guard's hot path without going through the agent's state.
  const ManagedAgentSlot* managed = nullptr;
};

using SessionPtr = std::shared_ptr<const SessionState>;

// The calling thread's current session, for the guard's hot path.
struct SessionAccess {
  // The current session of this thread, or null when none is running.
  static const SessionPtr* current() noexcept;
};

}  // namespace agentsudo::detail
