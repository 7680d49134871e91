// The process-wide policy subscription behind configure_policy().
#include "agentsudo/policy.hpp"

#include <cstdlib>
#include <memory>
#include <mutex>

#include "sdk/http_client.hpp"
#include "sdk/policy_registry.hpp"
#include "sdk/policy_subscriber.hpp"

namespace agentsudo {
namespace {

// The subscription in effect, if any. Never destroyed, like the registry:
// the exit hook stops the thread instead.
struct PolicyState {
  std::mutex mutex;
  std::unique_ptr<PolicySubscriber> subscriber;  // Guarded by mutex.
  bool exit_hook_installed = false;              // Guarded by mutex.
};

PolicyState& policy_state() {
  static PolicyState* state = new PolicyState();
  return *state;
}

}  // namespace

const char* to_string(PolicySource source) noexcept {
  switch (source) {
    case PolicySource::kNone:
      return "none";
    case PolicySource::kCache:
      return "cache";
    case PolicySource::kServer:
      return "server";
  }
  return "none";
}

void configure_policy(PolicyOptions options) {
  PolicySettings settings = PolicySettings::resolve(std::move(options));
  auto startup_wait = settings.options.startup_wait;
  PolicyRegistry& registry = PolicyRegistry::instance();
  std::unique_ptr<PolicySubscriber> previous;
  {
    std::lock_guard lock(policy_state().mutex);
    previous = std::move(policy_state().subscriber);
    if (!policy_state().exit_hook_installed) {
      // curl's own exit handlers must run after ours; see prepare_process().
      HttpClient::prepare_process();
      std::atexit(shutdown_policy);
      policy_state().exit_hook_installed = true;
    }
  }
  // One thread at a time: the old one stops before the new one starts.
  previous.reset();
  auto subscriber = std::make_unique<PolicySubscriber>(std::move(settings), registry);
  {
    std::lock_guard lock(policy_state().mutex);
    previous = std::move(policy_state().subscriber);
    policy_state().subscriber = std::move(subscriber);
  }
  previous.reset();
  if (startup_wait.count() > 0)
    registry.wait_for_policy(std::chrono::steady_clock::now() + startup_wait);
}

bool wait_for_policy(std::chrono::milliseconds timeout) {
  return PolicyRegistry::instance().wait_for_policy(std::chrono::steady_clock::now() + timeout);
}

void shutdown_policy() {
  std::unique_ptr<PolicySubscriber> subscriber;
  {
    std::lock_guard lock(policy_state().mutex);
    subscriber = std::move(policy_state().subscriber);
  }
  subscriber.reset();
}

std::optional<PolicySettings> active_policy_settings() {
  std::lock_guard lock(policy_state().mutex);
  if (policy_state().subscriber == nullptr)
    return std::nullopt;
  return policy_state().subscriber->settings();
}

PolicyStatus policy_status() {
  return PolicyRegistry::instance().status();
}

}  // namespace agentsudo
