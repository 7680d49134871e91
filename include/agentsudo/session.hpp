#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "agentsudo/agent.hpp"

namespace agentsudo {

namespace detail {
struct SessionState;
struct SessionAccess;
}  // namespace detail

class SessionActivation;

// A handle to a running session (its agent, id and expiry) that can be carried
// to another thread, a thread pool or a coroutine and activated there.
// An empty context means "no session".
//
// Copyable; safe to use from any thread.
class SessionContext {
 public:
  SessionContext() = default;

  // The session current on the calling thread, or an empty context.
  static SessionContext current();

  explicit operator bool() const noexcept { return state_ != nullptr; }

  // The session's agent. The context must not be empty.
  const Agent& agent() const noexcept;
  // A random id that ties together the events of one session.
  const std::string& id() const noexcept;
  // When the session stops granting.
  std::chrono::steady_clock::time_point expires_at() const noexcept;
  bool expired() const noexcept;

  // Makes this session current on the calling thread until the returned
  // object is destroyed. Activating an empty context means "no session".
  [[nodiscard]] SessionActivation activate() const;

 private:
  friend class Session;
  friend class SessionActivation;
  friend struct detail::SessionAccess;
  explicit SessionContext(std::shared_ptr<const detail::SessionState> state)
      : state_(std::move(state)) {}

  std::shared_ptr<const detail::SessionState> state_;
};

// Keeps a session current on one thread for its lifetime and restores the
// previous one (or none) on destruction. Activations nest; they must end in
// the reverse order they began, on the thread that began them, which is why
// they can be neither copied nor moved.
class SessionActivation {
 public:
  explicit SessionActivation(SessionContext context);
  ~SessionActivation();
  SessionActivation(const SessionActivation&) = delete;
  SessionActivation& operator=(const SessionActivation&) = delete;

 private:
  SessionContext context_;
  const SessionContext* previous_;
};

// An agent's session on the calling thread: `auto session =
// agent.start_session();` makes the agent current until `session` goes out of
// scope, then restores the previous agent (sessions nest). A session older
// than the agent's TTL denies every check.
//
// Not copyable or movable, and must be destroyed on the thread that created
// it. To run work elsewhere as this agent, carry context() (or use
// bind_session()).
class Session {
 public:
  const Agent& agent() const noexcept { return context_.agent(); }
  const std::string& id() const noexcept { return context_.id(); }
  bool expired() const noexcept { return context_.expired(); }
  // A handle for running work as this session on another thread.
  const SessionContext& context() const noexcept { return context_; }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  friend class Agent;
  explicit Session(std::shared_ptr<const detail::SessionState> state);

  SessionContext context_;
  SessionActivation activation_;
};

// The agent of the calling thread's current session, or null outside any
// session. The pointer is valid while that session stays current.
const Agent* current_agent() noexcept;

// Wraps `fn` so that, wherever and whenever it is invoked (another thread, a
// thread pool, an executor), it runs inside the session that is current here
// and now. The wrapper takes the same arguments and returns what `fn` returns.
template <class F>
auto bind_session(F&& fn) {
  return [context = SessionContext::current(),
          fn = std::forward<F>(fn)]<class... Args>(Args&&... args) mutable -> decltype(auto) {
    SessionActivation activation(context);
    return std::invoke(fn, std::forward<Args>(args)...);
  };
}

}  // namespace agentsudo
