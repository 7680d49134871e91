#include "server/auth/login_throttle.hpp"

#include <algorithm>
#include <boost/asio/ip/network_v6.hpp>
#include <vector>

namespace agentsudo::server {
namespace {

constexpr UnixMicros kMicrosPerSecond = 1'000'000;
constexpr UnixMicros kMicrosPerMilli = 1'000;
constexpr unsigned kSourcePrefixV6 = 64;

// Source first: an address never holds the separator, so keys are unique.
std::string pair_key(std::string_view account, std::string_view source) {
  std::string key = "p\x1f";
  key.append(source).append("\x1f").append(account);
  return key;
}

std::string source_key(std::string_view source) {
  return "s\x1f" + std::string(source);
}

Error throttled(UnixMicros wait) {
  std::int64_t seconds =
      std::max<std::int64_t>(1, (wait + kMicrosPerSecond - 1) / kMicrosPerSecond);
  Error error = make_error(ErrorKind::kRateLimited, "too many failed logins; try again in " +
                                                        std::to_string(seconds) + " seconds");
  error.retry_after_seconds = seconds;
  return error;
}

}  // namespace

LoginThrottle::LoginThrottle(const Clock& clock, Limits limits) : clock_(clock), limits_(limits) {}

Result<LoginThrottle::Attempt> LoginThrottle::admit(std::string_view account,
                                                    std::string_view source) {
  Attempt attempt{pair_key(account, source), source_key(source)};
  std::lock_guard lock(mutex_);
  UnixMicros now = clock_.now();
  UnixMicros wait = std::max(wait_of(attempt.pair, now), wait_of(attempt.source, now));
  if (wait > 0)
    return throttled(wait);
  attempt.pair_delay = reserve(attempt.pair, limits_.free_per_pair, now);
  attempt.source_delay = reserve(attempt.source, limits_.free_per_source, now);
  return attempt;
}

void LoginThrottle::succeeded(const Attempt& attempt) {
  std::lock_guard lock(mutex_);
  entries_.erase(attempt.pair);
  // Only its own attempt: a guesser's valid account must not wipe the count
  // of everything else tried from that source.
  auto source = entries_.find(attempt.source);
  if (source == entries_.end() || source->second.attempts == 0)
    return;
  Entry& entry = source->second;
  --entry.attempts;
  // The delay this attempt's own reservation began ends with it.
  if (entry.attempts < limits_.free_per_source)
    entry.next_at = std::min(entry.next_at, clock_.now());
}

void LoginThrottle::failed(const Attempt& attempt) {
  std::lock_guard lock(mutex_);
  UnixMicros now = clock_.now();
  wait_after(attempt.pair, attempt.pair_delay, now);
  wait_after(attempt.source, attempt.source_delay, now);
}

void LoginThrottle::wait_after(const std::string& key, UnixMicros delay, UnixMicros now) {
  auto found = entries_.find(key);
  if (delay > 0 && found != entries_.end())
    found->second.next_at = std::max(found->second.next_at, now + delay);
}

std::size_t LoginThrottle::tracked_keys() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

UnixMicros LoginThrottle::wait_of(const std::string& key, UnixMicros now) const {
  auto found = entries_.find(key);
  if (found == entries_.end() || found->second.next_at <= now)
    return 0;
  return found->second.next_at - now;
}

UnixMicros LoginThrottle::reserve(const std::string& key, std::size_t free_attempts,
                                  UnixMicros now) {
  auto found = entries_.find(key);
  if (found == entries_.end()) {
    make_room(now);
    found = entries_.emplace(key, Entry{}).first;
  } else if (forgotten(found->second, now)) {
    found->second = Entry{};
  }
  Entry& entry = found->second;
  ++entry.attempts;
  if (entry.attempts < free_attempts) {
    entry.next_at = now;
    return 0;
  }
  UnixMicros cap = limits_.max_delay.count() * kMicrosPerMilli;
  UnixMicros delay = limits_.base_delay.count() * kMicrosPerMilli;
  for (std::size_t doubled = free_attempts; doubled < entry.attempts && delay < cap; ++doubled)
    delay *= 2;
  delay = std::min(delay, cap);
  entry.next_at = now + delay;
  return delay;
}

bool LoginThrottle::forgotten(const Entry& entry, UnixMicros now) const {
  return entry.next_at + limits_.forget_after.count() * kMicrosPerSecond <= now;
}

// At the cap: drop forgotten keys, then the least delayed ones, down to 90%
// of it, so that the next thousands of new keys cost no sweep.
void LoginThrottle::make_room(UnixMicros now) {
  if (entries_.size() < limits_.max_keys)
    return;
  std::erase_if(entries_, [&](const auto& entry) { return forgotten(entry.second, now); });
  std::size_t keep = limits_.max_keys - limits_.max_keys / 10;
  if (entries_.size() <= keep)
    return;
  std::vector<std::pair<UnixMicros, const std::string*>> by_wait;
  by_wait.reserve(entries_.size());
  for (const auto& [key, entry] : entries_)
    by_wait.emplace_back(entry.next_at, &key);
  std::size_t evict = entries_.size() - keep;
  std::nth_element(by_wait.begin(), by_wait.begin() + static_cast<std::ptrdiff_t>(evict),
                   by_wait.end());
  std::vector<std::string> victims;
  victims.reserve(evict);
  for (std::size_t i = 0; i < evict; ++i)
    victims.push_back(*by_wait[i].second);
  for (const auto& key : victims)
    entries_.erase(key);
}

std::string login_source(const boost::asio::ip::address& client) {
  if (client.is_v4())
    return client.to_string();
  return boost::asio::ip::network_v6(client.to_v6(), kSourcePrefixV6).canonical().to_string();
}

}  // namespace agentsudo::server
