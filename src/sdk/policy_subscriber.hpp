#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agentsudo/policy.hpp"
#include "sdk/policy_cache_file.hpp"
#include "sdk/policy_fetcher.hpp"

namespace agentsudo {

class PolicyRegistry;

// Policy settings after defaults, environment and validation.
struct PolicySettings {
  std::string policy_url;  // {endpoint}/v1/policy
  std::string api_key;
  PolicyOptions options;

  // Resolves `options` against the environment and configure_cloud()'s
  // settings; throws ConfigurationError.
  static PolicySettings resolve(PolicyOptions options);
};

// The one background thread that follows the server's policy for every
// managed agent in the process. It asks once (GET /v1/policy, conditional on
// the version enforced), then long-polls (?after=VERSION&wait=S) for as long
// as it runs, applies each new policy to the registry, and writes the cache
// file; on any failure it backs off with jitter and keeps the policy it has.
//
// Thread-safe: stop() may be called from any thread.
class PolicySubscriber {
 public:
  // Loads the cache file (if configured and no policy is enforced yet) into
  // `registry`, then starts the thread.
  PolicySubscriber(PolicySettings settings, PolicyRegistry& registry);
  // Stops the thread (see stop()).
  ~PolicySubscriber();
  PolicySubscriber(const PolicySubscriber&) = delete;
  PolicySubscriber& operator=(const PolicySubscriber&) = delete;

  // Interrupts a request in flight and joins the thread. Idempotent.
  void stop();

  const PolicySettings& settings() const noexcept { return settings_; }

 private:
  void run();
  void load_cache();
  // Handles a 200: applies a new version and caches it. Returns false if the
  // body was not a policy, or a long-poll came back with the version we have.
  bool accept(const std::string& body, std::optional<std::int64_t> enforced, bool long_poll);
  // Sleeps for `delay` unless stop() comes first; false when stopping.
  bool pause(std::chrono::milliseconds delay);

  const PolicySettings settings_;
  PolicyRegistry& registry_;
  std::optional<PolicyCacheFile> cache_;
  PolicyFetcher fetcher_;

  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;  // Guarded by mutex_.

  std::mutex join_mutex_;
  std::thread thread_;
};

// The settings of the subscription configure_policy() started last, or
// nullopt if none runs. Lets approval requests reuse its key and endpoint.
// Thread-safe.
std::optional<PolicySettings> active_policy_settings();

}  // namespace agentsudo
