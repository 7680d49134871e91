#include "agentsudo/agent.hpp"

#include <utility>

#include "agentsudo/errors.hpp"
#include "agentsudo/session.hpp"
#include "sdk/agent_state.hpp"
#include "sdk/session_state.hpp"
#include "sdk/text_field.hpp"

namespace agentsudo {
namespace {

constexpr std::size_t kMaxAgentNameBytes = 200;

void validate(const AgentOptions& options) {
  if (options.name.empty() || options.name.size() > kMaxAgentNameBytes) {
    throw ConfigurationError("agent name must be 1 to 200 bytes, got " +
                             std::to_string(options.name.size()));
  }
  if (!is_clean_utf8(options.name)) {
    throw ConfigurationError("agent name must be UTF-8 without control characters");
  }
  if (options.role.empty())
    throw ConfigurationError("agent role must not be empty");
  if (options.session_ttl <= std::chrono::seconds::zero()) {
    throw ConfigurationError("agent session_ttl must be positive");
  }
}

std::shared_ptr<const detail::AgentState> make_state(AgentOptions options) {
  validate(options);
  auto state = std::make_shared<detail::AgentState>();
  state->compiled_scopes = ScopeSet(options.scopes);
  state->name = std::move(options.name);
  state->role = std::move(options.role);
  state->session_ttl = options.session_ttl;
  state->scopes = std::move(options.scopes);
  state->guardrails = std::move(options.guardrails);
  return state;
}

}  // namespace

Agent::Agent(AgentOptions options) : state_(make_state(std::move(options))) {}

namespace {

AgentOptions named_options(std::string name, std::vector<std::string> scopes) {
  AgentOptions options;
  options.name = std::move(name);
  options.scopes = std::move(scopes);
  return options;
}

}  // namespace

Agent::Agent(std::string name, std::vector<std::string> scopes)
    : Agent(named_options(std::move(name), std::move(scopes))) {}

const std::string& Agent::name() const noexcept {
  return state_->name;
}
const std::string& Agent::role() const noexcept {
  return state_->role;
}
std::chrono::seconds Agent::session_ttl() const noexcept {
  return state_->session_ttl;
}
const std::vector<std::string>& Agent::scopes() const noexcept {
  return state_->scopes;
}
const Guardrails* Agent::guardrails() const noexcept {
  return state_->guardrails.get();
}

bool Agent::has_scope(std::string_view required) const noexcept {
  return state_->compiled_scopes.allows(required);
}

}  // namespace agentsudo
