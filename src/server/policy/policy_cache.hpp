#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "server/metrics/metrics.hpp"
#include "server/model/error.hpp"
#include "server/policy/policy_snapshot.hpp"
#include "server/store/agent_store.hpp"

namespace agentsudo::server {

// Each project's current policy, compiled, and the clients waiting for its
// next version. Reads the store once per version; changed() is called after
// every committed change, reloads, and wakes the waiters. Thread-safe.
class PolicyCache {
 public:
  using Snapshot = std::shared_ptr<const PolicySnapshot>;

  // `waiters` counts the waits in progress.
  PolicyCache(AgentStore& agents, Gauge& waiters);

  Result<Snapshot> current(std::int64_t project_rowid);

  // The current policy once its version is above `after`, or when `wait`
  // passes, whichever comes first. Never holds a thread while waiting.
  boost::asio::awaitable<Result<Snapshot>> wait_newer(std::int64_t project_rowid,
                                                      std::int64_t after,
                                                      std::chrono::steady_clock::duration wait);

  // The project's policy changed in the store: reload it and wake its waiters.
  void changed(std::int64_t project_rowid);
  // Any project's policy may have changed unseen (the change feed
  // reconnected): reloads every cached one.
  void changed_all();

  // The server is stopping: wakes every waiter, and later waits return at
  // once, so no long-poll holds up a drain.
  void release_waiters();

 private:
  using Wakeup = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

  struct ProjectPolicy {
    Snapshot snapshot;
    std::vector<std::weak_ptr<Wakeup>> waiters;
  };

  Result<Snapshot> load(std::int64_t project_rowid);
  // Keeps the newer of the cached and the given snapshot; returns the kept one.
  Snapshot install(std::int64_t project_rowid, Snapshot snapshot);
  // False once the waiters are released.
  bool add_waiter(std::int64_t project_rowid, const std::shared_ptr<Wakeup>& wakeup);

  AgentStore& agents_;
  Gauge& waiters_;
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, ProjectPolicy> projects_;  // guarded by mutex_
  bool released_ = false;                                     // guarded by mutex_
};

}  // namespace agentsudo::server
