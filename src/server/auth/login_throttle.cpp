#include "server/auth/login_throttle.hpp"

namespace agentsudo::server {
namespace {

// Above this many tracked keys, each failure first sweeps out stale ones, so
// a flood of distinct emails cannot grow memory without bound for long.
constexpr std::size_t kSweepAbove = 10'000;
constexpr UnixMicros kMicrosPerSecond = 1'000'000;

std::string account_key(std::string_view email) {
  return "email:" + std::string(email);
}

std::string address_key(std::string_view address) {
  return "addr:" + std::string(address);
}

}  // namespace

LoginThrottle::LoginThrottle(const Clock& clock, Limits limits) : clock_(clock), limits_(limits) {}

std::optional<std::int64_t> LoginThrottle::retry_after(std::string_view email,
                                                       std::string_view address) {
  std::lock_guard lock(mutex_);
  UnixMicros now = clock_.now();
  auto account = wait_for(account_key(email), limits_.per_account, now);
  auto from_address = wait_for(address_key(address), limits_.per_address, now);
  if (account && from_address)
    return std::max(*account, *from_address);
  return account ? account : from_address;
}

void LoginThrottle::record_failure(std::string_view email, std::string_view address) {
  std::lock_guard lock(mutex_);
  UnixMicros now = clock_.now();
  if (failures_.size() > kSweepAbove)
    sweep(now);
  record(account_key(email), limits_.per_account, now);
  record(address_key(address), limits_.per_address, now);
}

void LoginThrottle::record_success(std::string_view email) {
  std::lock_guard lock(mutex_);
  failures_.erase(account_key(email));
}

std::optional<std::int64_t> LoginThrottle::wait_for(const std::string& key, std::size_t limit,
                                                    UnixMicros now) {
  auto found = failures_.find(key);
  if (found == failures_.end() || found->second.size() < limit)
    return std::nullopt;
  UnixMicros window = limits_.window.count() * kMicrosPerSecond;
  UnixMicros free_at = found->second.front() + window;
  if (free_at <= now)
    return std::nullopt;
  return (free_at - now + kMicrosPerSecond - 1) / kMicrosPerSecond;
}

void LoginThrottle::record(const std::string& key, std::size_t limit, UnixMicros now) {
  Failures& failures = failures_[key];
  failures.push_back(now);
  while (failures.size() > limit)
    failures.pop_front();
}

void LoginThrottle::sweep(UnixMicros now) {
  UnixMicros window = limits_.window.count() * kMicrosPerSecond;
  std::erase_if(failures_, [&](const auto& entry) { return entry.second.back() + window <= now; });
}

}  // namespace agentsudo::server
