#include "server/approvals/approval_waiters.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace agentsudo::server {
namespace asio = boost::asio;

namespace {

template <class Waiters>
void wake(Waiters& waiters) {
  for (auto& waiter : waiters) {
    if (auto live = waiter.lock())
      live->try_send(boost::system::error_code{});
  }
}

}  // namespace

ApprovalWaiters::ApprovalWaiters(Gauge& gauge) : gauge_(gauge) {}

void ApprovalWaiters::decided(const std::string& approval_id) {
  std::vector<std::weak_ptr<Wakeup>> waiters;
  {
    std::lock_guard lock(mutex_);
    auto found = waiters_.find(approval_id);
    if (found == waiters_.end())
      return;
    waiters.swap(found->second);
    waiters_.erase(found);
  }
  wake(waiters);
}

void ApprovalWaiters::release_waiters() {
  std::vector<std::weak_ptr<Wakeup>> waiters;
  {
    std::lock_guard lock(mutex_);
    released_ = true;
    for (auto& [id, list] : waiters_)
      waiters.insert(waiters.end(), list.begin(), list.end());
    waiters_.clear();
  }
  wake(waiters);
}

bool ApprovalWaiters::add_waiter(const std::string& approval_id,
                                 const std::shared_ptr<Wakeup>& wakeup) {
  std::lock_guard lock(mutex_);
  if (released_)
    return false;
  waiters_[approval_id].push_back(wakeup);
  return true;
}

void ApprovalWaiters::forget(const std::string& approval_id,
                             const std::shared_ptr<Wakeup>& wakeup) {
  std::lock_guard lock(mutex_);
  auto found = waiters_.find(approval_id);
  if (found == waiters_.end())
    return;
  std::erase_if(found->second, [&wakeup](const std::weak_ptr<Wakeup>& waiter) {
    auto live = waiter.lock();
    return !live || live == wakeup;
  });
  if (found->second.empty())
    waiters_.erase(found);
}

asio::awaitable<void> ApprovalWaiters::wait(const std::string& approval_id,
                                            std::chrono::steady_clock::duration wait,
                                            const std::function<bool()>& settled) {
  auto executor = co_await asio::this_coro::executor;
  auto wakeup = std::make_shared<Wakeup>(executor, 1);
  // Registered before the request is read, so a decision between the two wakes us.
  bool registered = add_waiter(approval_id, wakeup);
  if (!registered)
    co_return;
  if (settled() || wait <= wait.zero()) {
    forget(approval_id, wakeup);
    co_return;
  }
  // The deadline rings the same channel as a decision does, so the coroutine
  // waits on one operation and only the thread-safe channel is touched from
  // other threads (a decision commits on whichever thread served it).
  asio::steady_timer deadline(executor, wait);
  deadline.async_wait([wakeup](const boost::system::error_code&) {
    wakeup->try_send(boost::system::error_code{});
  });
  // Undone however the wait ends, also when the server drops the coroutine.
  struct Waiting {
    Gauge& gauge;
    explicit Waiting(Gauge& g) : gauge(g) { gauge.add(1); }
    ~Waiting() { gauge.add(-1); }
  } waiting(gauge_);
  co_await wakeup->async_receive(asio::as_tuple(asio::use_awaitable));
  deadline.cancel();
  forget(approval_id, wakeup);
}

}  // namespace agentsudo::server
