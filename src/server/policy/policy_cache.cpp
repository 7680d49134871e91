#include "server/policy/policy_cache.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

namespace agentsudo::server {
namespace asio = boost::asio;

PolicyCache::PolicyCache(AgentStore& agents, Gauge& waiters) : agents_(agents), waiters_(waiters) {}

Result<PolicyCache::Snapshot> PolicyCache::current(std::int64_t project_rowid) {
  {
    std::lock_guard lock(mutex_);
    auto found = projects_.find(project_rowid);
    if (found != projects_.end() && found->second.snapshot)
      return found->second.snapshot;
  }
  return load(project_rowid);
}

Result<PolicyCache::Snapshot> PolicyCache::load(std::int64_t project_rowid) {
  ASSIGN_OR_RETURN(auto policy, agents_.policy(project_rowid));
  return install(project_rowid, std::make_shared<const PolicySnapshot>(std::move(policy)));
}

PolicyCache::Snapshot PolicyCache::install(std::int64_t project_rowid, Snapshot snapshot) {
  std::lock_guard lock(mutex_);
  auto& cached = projects_[project_rowid].snapshot;
  // Versions only grow, so a slow reader's older snapshot never replaces a
  // newer one installed meanwhile.
  if (!cached || cached->version() < snapshot->version())
    cached = std::move(snapshot);
  return cached;
}

namespace {

template <class Waiters>
void wake(Waiters& waiters) {
  for (auto& waiter : waiters) {
    if (auto live = waiter.lock())
      live->try_send(boost::system::error_code{});
  }
  waiters.clear();
}

}  // namespace

void PolicyCache::changed(std::int64_t project_rowid) {
  // A failed reload leaves the old snapshot; the next change or a restart
  // retries, and waiters still wake to read whatever is current.
  (void)load(project_rowid);
  std::vector<std::weak_ptr<Wakeup>> waiters;
  {
    std::lock_guard lock(mutex_);
    waiters.swap(projects_[project_rowid].waiters);
  }
  wake(waiters);
}

void PolicyCache::changed_all() {
  std::vector<std::int64_t> cached;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [project, policy] : projects_)
      cached.push_back(project);
  }
  for (std::int64_t project : cached)
    changed(project);
}

void PolicyCache::release_waiters() {
  std::vector<std::weak_ptr<Wakeup>> waiters;
  {
    std::lock_guard lock(mutex_);
    released_ = true;
    for (auto& [project, policy] : projects_) {
      waiters.insert(waiters.end(), policy.waiters.begin(), policy.waiters.end());
      policy.waiters.clear();
    }
  }
  wake(waiters);
}

bool PolicyCache::add_waiter(std::int64_t project_rowid, const std::shared_ptr<Wakeup>& wakeup) {
  std::lock_guard lock(mutex_);
  if (released_)
    return false;
  auto& waiters = projects_[project_rowid].waiters;
  // Waiters that timed out leave expired entries; drop them as the list grows.
  if (waiters.size() >= 64 && waiters.size() % 64 == 0) {
    std::erase_if(waiters, [](const std::weak_ptr<Wakeup>& w) { return w.expired(); });
  }
  waiters.push_back(wakeup);
  return true;
}

asio::awaitable<Result<PolicyCache::Snapshot>> PolicyCache::wait_newer(
    std::int64_t project_rowid, std::int64_t after, std::chrono::steady_clock::duration wait) {
  auto executor = co_await asio::this_coro::executor;
  auto wakeup = std::make_shared<Wakeup>(executor, 1);
  const auto until = std::chrono::steady_clock::now() + wait;
  // The deadline rings the same channel as a change does, so the coroutine
  // waits on one operation and only the thread-safe channel is touched from
  // other threads (a change commits on whichever thread served it).
  asio::steady_timer deadline(executor, until);
  // Undone however the wait ends, also when the server drops the coroutine.
  struct Waiting {
    Gauge& gauge;
    explicit Waiting(Gauge& g) : gauge(g) { gauge.add(1); }
    ~Waiting() { gauge.add(-1); }
  };
  std::optional<Waiting> waiting;
  for (;;) {
    // Registered before the version is read, so a change between the two wakes us.
    bool registered = add_waiter(project_rowid, wakeup);
    auto snapshot = current(project_rowid);
    if (!registered || !snapshot || (*snapshot)->version() > after ||
        std::chrono::steady_clock::now() >= until)
      co_return snapshot;
    if (!waiting) {
      waiting.emplace(waiters_);
      deadline.async_wait([wakeup](const boost::system::error_code&) {
        wakeup->try_send(boost::system::error_code{});
      });
    }
    // A wake that brings no newer version (another node's notice of a
    // change this node had already loaded, say) is no answer: wait on.
    co_await wakeup->async_receive(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace agentsudo::server
