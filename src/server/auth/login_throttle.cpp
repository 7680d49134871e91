#include "server/auth/login_throttle.hpp"

#include <algorithm>
#include <array>
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

UnixMicros wait_of(const LoginFailures& entry, UnixMicros now) {
  return entry.next_at <= now ? 0 : entry.next_at - now;
}

// Restarts the wait from now, unless the key was cleared meanwhile.
void wait_after(LoginFailures& entry, UnixMicros delay, UnixMicros now) {
  if (delay > 0 && !entry.fresh())
    entry.next_at = std::max(entry.next_at, now + delay);
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

LoginThrottle::LoginThrottle(const Clock& clock, Limits limits)
    : clock_(clock),
      limits_(limits),
      own_(std::make_unique<MemoryLoginFailures>(limits.max_keys)),
      failures_(*own_) {}

LoginThrottle::LoginThrottle(const Clock& clock, Limits limits, LoginFailureStore& shared)
    : clock_(clock), limits_(limits), failures_(shared) {}

Result<LoginThrottle::Attempt> LoginThrottle::admit(std::string_view account,
                                                    std::string_view source) {
  Attempt attempt{pair_key(account, source), source_key(source)};
  std::array keys{attempt.pair, attempt.source};
  UnixMicros now = clock_.now();
  UnixMicros wait = 0;
  Status counted = failures_.update(keys, idle_before(now), [&](std::span<LoginFailures> entries) {
    wait = std::max(wait_of(entries[0], now), wait_of(entries[1], now));
    if (wait > 0)
      return;
    attempt.pair_delay = reserve(entries[0], limits_.free_per_pair, now);
    attempt.source_delay = reserve(entries[1], limits_.free_per_source, now);
  });
  if (!counted)
    return counted.error();
  if (wait > 0)
    return throttled(wait);
  return attempt;
}

// A count lost here while a shared store is away only loosens the throttle
// for a moment: the failure was counted when the attempt was admitted.
void LoginThrottle::succeeded(const Attempt& attempt) {
  std::array keys{attempt.pair, attempt.source};
  UnixMicros now = clock_.now();
  (void)failures_.update(keys, idle_before(now), [&](std::span<LoginFailures> entries) {
    entries[0] = LoginFailures{};
    // Only its own attempt: a guesser's valid account must not wipe the count
    // of everything else tried from that source.
    LoginFailures& source = entries[1];
    if (source.attempts == 0)
      return;
    --source.attempts;
    // The delay this attempt's own reservation began ends with it.
    if (static_cast<std::size_t>(source.attempts) < limits_.free_per_source)
      source.next_at = std::min(source.next_at, now);
  });
}

void LoginThrottle::failed(const Attempt& attempt) {
  std::array keys{attempt.pair, attempt.source};
  UnixMicros now = clock_.now();
  (void)failures_.update(keys, idle_before(now), [&](std::span<LoginFailures> entries) {
    wait_after(entries[0], attempt.pair_delay, now);
    wait_after(entries[1], attempt.source_delay, now);
  });
}

std::size_t LoginThrottle::tracked_keys() {
  return own_ ? own_->size() : 0;
}

UnixMicros LoginThrottle::reserve(LoginFailures& entry, std::size_t free_attempts,
                                  UnixMicros now) const {
  if (forgotten(entry, now))
    entry = LoginFailures{};
  ++entry.attempts;
  auto attempts = static_cast<std::size_t>(entry.attempts);
  if (attempts < free_attempts) {
    entry.next_at = now;
    return 0;
  }
  UnixMicros cap = limits_.max_delay.count() * kMicrosPerMilli;
  UnixMicros delay = limits_.base_delay.count() * kMicrosPerMilli;
  for (std::size_t doubled = free_attempts; doubled < attempts && delay < cap; ++doubled)
    delay *= 2;
  delay = std::min(delay, cap);
  entry.next_at = now + delay;
  return delay;
}

bool LoginThrottle::forgotten(const LoginFailures& entry, UnixMicros now) const {
  return entry.next_at <= idle_before(now);
}

UnixMicros LoginThrottle::idle_before(UnixMicros now) const {
  return now - limits_.forget_after.count() * kMicrosPerSecond;
}

std::string login_source(const boost::asio::ip::address& client) {
  if (client.is_v4())
    return client.to_string();
  return boost::asio::ip::network_v6(client.to_v6(), kSourcePrefixV6).canonical().to_string();
}

}  // namespace agentsudo::server
