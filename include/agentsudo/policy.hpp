#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace agentsudo {

// Where managed agents (Agent::managed) get their policy, and what to do
// while it is not there.
struct PolicyOptions {
  // The project's API key. Empty: the AGENTSUDO_API_KEY variable, else the
  // key given to configure_cloud().
  std::string api_key;
  // The server's base URL. Empty: the AGENTSUDO_ENDPOINT variable, else the
  // endpoint given to configure_cloud(), else http://127.0.0.1:8080.
  std::string endpoint;
  // If set, the last policy received is kept in this file (written
  // atomically whenever it changes) and enforced at once on the next start,
  // before the server answers. Empty: no cache file.
  std::string cache_path;
  // configure_policy() blocks up to this long for the first policy (from the
  // cache file or the server); until one arrives, managed agents deny
  // everything. Zero: return at once.
  std::chrono::milliseconds startup_wait{0};
  // How long the server may hold each long-poll open (0 to 60 s).
  std::chrono::seconds long_poll_wait{25};
  // Limit on connecting and on a request beyond the long-poll's own wait.
  std::chrono::milliseconds request_timeout{10000};
  // Backoff after a failed request: about base * 2^n, capped, with jitter.
  std::chrono::milliseconds retry_base_delay{250};
  std::chrono::milliseconds retry_max_delay{30000};
};

// Where the policy that managed agents enforce now came from.
enum class PolicySource {
  kNone,    // No policy yet: managed agents deny everything.
  kCache,   // The cache file, not yet confirmed by the server.
  kServer,  // The server.
};

// "none", "cache" or "server".
const char* to_string(PolicySource source) noexcept;

// What the policy subscription has done since the process started.
struct PolicyStatus {
  // The version enforced now; -1 before the first policy.
  std::int64_t version = -1;
  PolicySource source = PolicySource::kNone;
  // Time since the server last confirmed this policy (a 200 or a 304), or,
  // for a policy from the cache file, since that file was written. Zero
  // before the first policy.
  std::chrono::milliseconds age{0};
  // Policies applied (from the server or the cache file).
  std::uint64_t updates = 0;
  // Requests to the server that failed: no answer, an error status, or a
  // body that is not a policy.
  std::uint64_t fetch_failures = 0;
  // Cache files found unreadable, torn or corrupt, and ignored.
  std::uint64_t cache_rejected = 0;
  // Cache file writes that failed (the policy is still enforced).
  std::uint64_t cache_write_failures = 0;
  // True while the background thread follows the server.
  bool subscribed = false;
  // The last failure, for logs; empty when there was none.
  std::string last_error;
};

// Starts following the server's policy for every managed agent in the
// process: one background thread long-polls GET /v1/policy and swaps each
// change in without making checks wait. With a cache_path, a valid cache
// file is loaded and enforced before this returns. Replaces any previous
// subscription (the policy already enforced stays). Throws
// ConfigurationError without an API key or for out-of-range options.
// Thread-safe.
void configure_policy(PolicyOptions options = {});

// Waits until managed agents enforce some policy (from the server or the
// cache file), or the timeout passes. Returns true if one is enforced.
// Thread-safe.
bool wait_for_policy(std::chrono::milliseconds timeout);

// Stops the background thread; the policy enforced now stays. Also runs at
// process exit. Thread-safe.
void shutdown_policy();

// A snapshot of the subscription's state. Thread-safe.
PolicyStatus policy_status();

}  // namespace agentsudo
