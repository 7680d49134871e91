#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace agentsudo {

class Guardrails;
class Session;

namespace detail {
struct AgentState;
}  // namespace detail

// What an agent is: its identity, the scopes it holds and how long its
// sessions last.
struct AgentOptions {
  // 1 to 200 bytes of UTF-8 without control characters (the server's limit).
  std::string name;
  // Scopes held, each literal ("read:orders") or a shell pattern ("read:*").
  std::vector<std::string> scopes;
  std::string role = "worker";
  // A session older than this denies every check.
  std::chrono::seconds session_ttl{3600};
  // Checked by check_guardrails() and with_guardrails() while this agent runs;
  // null means prompt-injection detection only.
  std::shared_ptr<const Guardrails> guardrails;
};

// An agent identity with its compiled scopes. Scopes are parsed once here, so
// has_scope() neither allocates nor re-parses.
//
// A cheap handle to immutable shared state: copies are shallow, and every
// member is safe to call from any number of threads.
class Agent {
 public:
  // Throws ConfigurationError for an invalid name, role or TTL.
  explicit Agent(AgentOptions options);
  Agent(std::string name, std::vector<std::string> scopes);

  const std::string& name() const noexcept;
  const std::string& role() const noexcept;
  std::chrono::seconds session_ttl() const noexcept;
  const std::vector<std::string>& scopes() const noexcept;
  // Null when the agent has no guardrails of its own.
  const Guardrails* guardrails() const noexcept;

  // True if a held scope matches `required`, which is taken literally. Pure:
  // no session, no event.
  bool has_scope(std::string_view required) const noexcept;

  // Makes this agent current on the calling thread until the returned session
  // is destroyed; see Session.
  [[nodiscard]] Session start_session() const;

 private:
  std::shared_ptr<const detail::AgentState> state_;
};

}  // namespace agentsudo
