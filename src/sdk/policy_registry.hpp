#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "agentsudo/policy.hpp"
#include "sdk/managed_agent_policy.hpp"
#include "sdk/policy_document.hpp"

namespace agentsudo {

// The process's managed agents and the policy they enforce. The policy
// thread applies each new policy here: every agent's snapshot is rebuilt and
// swapped in with one atomic store, and the old ones are retired to the
// SnapshotReclaimer, so checks never lock and never wait.
//
// Thread-safe. The one instance lives until the process ends and is never
// destroyed: agents and sessions point into it.
class PolicyRegistry {
 public:
  static PolicyRegistry& instance();

  // The slot of the managed agent called `name`, created (with the current
  // policy's snapshot, if any) on first use. Never null; never freed.
  const detail::ManagedAgentSlot* slot_for(const std::string& name);

  // Makes `document` the enforced policy. `confirmed_at_us` is when its
  // source vouched for it (the server's answer, or the cache file's write).
  void apply(const PolicyDocument& document, PolicySource source, std::int64_t confirmed_at_us);

  // The server answered 304: the enforced policy is still current.
  void confirm(std::int64_t confirmed_at_us);

  void record_fetch_failure(std::string error);
  void record_cache_rejected(std::string error);
  void record_cache_write_failure(std::string error);
  void set_subscribed(bool subscribed);

  // The version enforced now, if any.
  std::optional<std::int64_t> version() const;

  // Waits until some policy is enforced; false if the deadline came first.
  bool wait_for_policy(std::chrono::steady_clock::time_point deadline) const;

  PolicyStatus status() const;

  // For tests only: forgets the policy and the counters, so managed agents
  // deny everything again as before the first policy.
  void reset_for_testing();

 private:
  PolicyRegistry();

  // Builds the snapshot of `slot` under the policy in effect.
  // REQUIRES: mutex_ held.
  std::unique_ptr<const detail::ManagedAgentPolicy> snapshot_for(const std::string& name) const;
  // Swaps `slot` to a new snapshot and retires the old one.
  // REQUIRES: mutex_ held.
  static void publish(detail::ManagedAgentSlot& slot,
                      std::unique_ptr<const detail::ManagedAgentPolicy> snapshot);

  mutable std::mutex mutex_;
  mutable std::condition_variable policy_arrived_;
  // Keyed by name; std::map never moves its nodes, so slot addresses hold.
  std::map<std::string, detail::ManagedAgentSlot, std::less<>> slots_;  // Guarded by mutex_.
  std::optional<PolicyDocument> document_;                              // Guarded by mutex_.
  PolicyStatus status_;                                                 // Guarded by mutex_.
  std::int64_t confirmed_at_us_ = 0;                                    // Guarded by mutex_.
};

}  // namespace agentsudo
