#include "agentsudo/session.hpp"

#include <cstdio>
#include <random>

#include "sdk/agent_state.hpp"
#include "sdk/event_clock.hpp"
#include "sdk/session_state.hpp"

namespace agentsudo {
namespace {

// The innermost active context of this thread (it may be empty, meaning an
// explicit "no session"), or null when nothing was ever activated.
thread_local const SessionContext* current_context = nullptr;

std::string new_session_id() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(generator()));
  return buffer;
}

}  // namespace

namespace detail {

const SessionPtr* SessionAccess::current() noexcept {
  if (current_context == nullptr || current_context->state_ == nullptr)
    return nullptr;
  return &current_context->state_;
}

}  // namespace detail

SessionContext SessionContext::current() {
  return current_context != nullptr ? *current_context : SessionContext();
}

const Agent& SessionContext::agent() const noexcept {
  return state_->agent;
}
const std::string& SessionContext::id() const noexcept {
  return state_->id;
}

std::chrono::steady_clock::time_point SessionContext::expires_at() const noexcept {
  if (state_->managed == nullptr)
    return state_->expires_at;
  return state_->started_at + state_->agent.session_ttl();
}

bool SessionContext::expired() const noexcept {
  return EventClock::now() >= expires_at();
}

SessionActivation SessionContext::activate() const {
  return SessionActivation(*this);
}

SessionActivation::SessionActivation(SessionContext context)
    : context_(std::move(context)), previous_(current_context) {
  current_context = &context_;
}

SessionActivation::~SessionActivation() {
  current_context = previous_;
}

Session::Session(std::shared_ptr<const detail::SessionState> state)
    : context_(std::move(state)), activation_(context_) {}

Session Agent::start_session() const {
  auto now = EventClock::now();
  auto state = std::make_shared<const detail::SessionState>(detail::SessionState{
      .agent = *this,
      .id = new_session_id(),
      .expires_at = now + state_->session_ttl,
      .started_at = now,
      .managed = state_->managed,
  });
  return Session(std::move(state));
}

const Agent* current_agent() noexcept {
  const detail::SessionPtr* session = detail::SessionAccess::current();
  return session != nullptr ? &(*session)->agent : nullptr;
}

}  // namespace agentsudo
