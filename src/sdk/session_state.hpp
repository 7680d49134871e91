#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agentsudo/agent.hpp"
#include "agentsudo/session.hpp"

namespace agentsudo::detail {

// The immutable state of one session, shared by the Session, the contexts
// carried to other threads and the events that still describe it.
struct SessionState {
  Agent agent;
  // 16 random hex digits.
  std::string id;
  std::chrono::steady_clock::time_point expires_at;
};

using SessionPtr = std::shared_ptr<const SessionState>;

// The calling thread's current session, for the guard's hot path.
struct SessionAccess {
  // The current session of this thread, or null when none is running.
  static const SessionPtr* current() noexcept;
};

}  // namespace agentsudo::detail
