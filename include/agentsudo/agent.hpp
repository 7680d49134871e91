#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentsudo {

class Guardrails;
class Session;

namespace detail {
struct AgentState;
struct AgentAccess;
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

// What a managed agent keeps locally; its scopes, role and session TTL come
// from the server's policy (see configure_policy()).
struct ManagedAgentOptions {
  // As AgentOptions::guardrails.
  std::shared_ptr<const Guardrails> guardrails;
};

// An agent identity with its compiled scopes. Scopes are parsed once here, so
// has_scope() neither allocates nor re-parses.
//
// A local agent holds the scopes it was constructed with. A managed agent
// (Agent::managed) holds whatever the server's policy gives an agent of its
// name, follows every change, and denies everything before the first policy
// arrives or while the policy does not list it.
//
// A cheap handle to shared state: copies are shallow, and every member is
// safe to call from any number of threads.
class Agent {
 public:
  // Throws ConfigurationError for an invalid name, role or TTL.
  explicit Agent(AgentOptions options);
  Agent(std::string name, std::vector<std::string> scopes);

  // An agent whose scopes, role and session TTL are the server's policy for
  // `name`, kept current by the process's policy subscription (see
  // configure_policy(); it may be called before or after). Every handle for
  // one name shares one policy. Checks stay local and lock-free. Throws
  // ConfigurationError for an invalid name.
  static Agent managed(std::string name, ManagedAgentOptions options = {});

  const std::string& name() const noexcept;
  // For a managed agent, the policy's values now: the role is empty and the
  // scopes none before the first policy or while the policy does not list
  // the agent; the TTL is then 0.
  std::string role() const;
  std::chrono::seconds session_ttl() const noexcept;
  std::vector<std::string> scopes() const;
  // Null when the agent has no guardrails of its own.
  const Guardrails* guardrails() const noexcept;

  bool is_managed() const noexcept;
  // The policy version a managed agent enforces now; nullopt for a local
  // agent and before the first policy.
  std::optional<std::int64_t> policy_version() const noexcept;

  // True if a held scope matches `required`, which is taken literally. Pure:
  // no session, no event.
  bool has_scope(std::string_view required) const noexcept;

  // Makes this agent current on the calling thread until the returned session
  // is destroyed; see Session.
  [[nodiscard]] Session start_session() const;

 private:
  friend struct detail::AgentAccess;
  explicit Agent(std::shared_ptr<const detail::AgentState> state) : state_(std::move(state)) {}

  std::shared_ptr<const detail::AgentState> state_;
};

}  // namespace agentsudo
