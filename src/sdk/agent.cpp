#include "agentsudo/agent.hpp"

#include <utility>

#include "agentsudo/errors.hpp"
#include "agentsudo/session.hpp"
#include "sdk/agent_state.hpp"
#include "sdk/policy_registry.hpp"
#include "sdk/session_state.hpp"
#include "sdk/snapshot_reclaimer.hpp"
#include "sdk/text_field.hpp"

namespace agentsudo {
namespace {

constexpr std::size_t kMaxAgentNameBytes = 200;

void validate_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxAgentNameBytes) {
    throw ConfigurationError("agent name must be 1 to 200 bytes, got " +
                             std::to_string(name.size()));
  }
  if (!is_clean_utf8(name)) {
    throw ConfigurationError("agent name must be UTF-8 without control characters");
  }
}

void validate(const AgentOptions& options) {
  validate_name(options.name);
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

Agent Agent::managed(std::string name, ManagedAgentOptions options) {
  validate_name(name);
  auto state = std::make_shared<detail::AgentState>();
  state->managed = PolicyRegistry::instance().slot_for(name);
  state->name = std::move(name);
  state->guardrails = std::move(options.guardrails);
  return Agent(std::shared_ptr<const detail::AgentState>(std::move(state)));
}

namespace {

// Calls `read` with the managed agent's current snapshot (null before the
// first policy or when the policy does not list the agent) inside a read
// section, and returns what it returns.
template <class Read>
auto read_managed(const detail::ManagedAgentSlot& slot, Read read) {
  SnapshotReclaimer::ReadSection section;
  const detail::ManagedAgentPolicy* policy = slot.policy.load(std::memory_order_acquire);
  return read(policy != nullptr && policy->known ? policy : nullptr);
}

}  // namespace

const std::string& Agent::name() const noexcept {
  return state_->name;
}
std::string Agent::role() const {
  if (state_->managed == nullptr)
    return state_->role;
  return read_managed(*state_->managed, [](const detail::ManagedAgentPolicy* policy) {
    return policy != nullptr ? policy->role : std::string();
  });
}
std::chrono::seconds Agent::session_ttl() const noexcept {
  if (state_->managed == nullptr)
    return state_->session_ttl;
  return read_managed(*state_->managed, [](const detail::ManagedAgentPolicy* policy) {
    return policy != nullptr ? policy->session_ttl : std::chrono::seconds(0);
  });
}
std::vector<std::string> Agent::scopes() const {
  if (state_->managed == nullptr)
    return state_->scopes;
  return read_managed(*state_->managed, [](const detail::ManagedAgentPolicy* policy) {
    return policy != nullptr ? policy->scopes : std::vector<std::string>();
  });
}
const Guardrails* Agent::guardrails() const noexcept {
  return state_->guardrails.get();
}

bool Agent::is_managed() const noexcept {
  return state_->managed != nullptr;
}

std::optional<std::int64_t> Agent::policy_version() const noexcept {
  if (state_->managed == nullptr)
    return std::nullopt;
  SnapshotReclaimer::ReadSection section;
  const detail::ManagedAgentPolicy* policy =
      state_->managed->policy.load(std::memory_order_acquire);
  if (policy == nullptr)
    return std::nullopt;
  return policy->version;
}

namespace {

// A thread's first check of a managed agent: registers the thread's reader
// record, then checks. Out of line and reached by a tail call, so that the
// usual check keeps its arguments in registers.
[[gnu::cold, gnu::noinline]] bool first_managed_check(const Agent& agent,
                                                      std::string_view required) noexcept {
  SnapshotReclaimer::register_this_thread();
  return agent.has_scope(required);
}

}  // namespace

bool Agent::has_scope(std::string_view required) const noexcept {
  const detail::ManagedAgentSlot* slot = state_->managed;
  if (slot == nullptr) [[likely]]
    return state_->compiled_scopes.allows(required);
  // Not through read_managed(): an unknown agent's empty scopes deny anyway,
  // so the check skips the test of `known`.
  SnapshotReclaimer::ReaderRecord* record = SnapshotReclaimer::this_thread_record();
  if (record == nullptr) [[unlikely]]
    return first_managed_check(*this, required);
  SnapshotReclaimer::ReadSection section(*record);
  const detail::ManagedAgentPolicy* policy = slot->policy.load(std::memory_order_acquire);
  return policy != nullptr && policy->compiled_scopes.allows(required);
}

}  // namespace agentsudo
