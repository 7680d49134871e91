#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/metrics/metrics.hpp"
#include "server/model/approval.hpp"

namespace agentsudo::server {

// The clients waiting for a decision on an approval request
// (GET /v1/approvals/{id}?wait=), each woken by the decision, its deadline,
// or the server stopping. Never holds a thread while waiting. Thread-safe.
class ApprovalWaiters {
 public:
  // `gauge` counts the waits in progress.
  explicit ApprovalWaiters(Gauge& gauge);

  // Registers a waiter for `approval_id`, then asks `settled` (which reads
  // the request); unless it says the request is settled, waits until
  // decided() names the id or `wait` passes. Returns without a verdict: the
  // caller reads the request again.
  boost::asio::awaitable<void> wait(const std::string& approval_id,
                                    std::chrono::steady_clock::duration wait,
                                    const std::function<bool()>& settled);

  // The request (by public id) was decided or expired, on this node or
  // another: wakes its waiters.
  void decided(const std::string& approval_id);

  // The server is stopping: wakes every waiter, and later waits return at
  // once, so no long-poll holds up a drain.
  void release_waiters();

 private:
  using Wakeup = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

  // False once the waiters are released.
  bool add_waiter(const std::string& approval_id, const std::shared_ptr<Wakeup>& wakeup);
  // Drops a finished waiter, and the id's entry once nobody waits on it.
  void forget(const std::string& approval_id, const std::shared_ptr<Wakeup>& wakeup);

  Gauge& gauge_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::weak_ptr<Wakeup>>> waiters_;  // by mutex_
  bool released_ = false;  // guarded by mutex_
};

}  // namespace agentsudo::server
