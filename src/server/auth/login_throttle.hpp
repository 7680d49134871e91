#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/model/clock.hpp"

namespace agentsudo::server {

// Slows down password guessing: after `per_account` failed logins for one
// email, or `per_address` from one client address, within `window`, further
// attempts are refused until the oldest counted failure leaves the window.
// Kept in memory: a restart forgets, which costs an attacker a restart.
// Thread-safe.
class LoginThrottle {
 public:
  struct Limits {
    std::size_t per_account = 5;
    std::size_t per_address = 20;
    std::chrono::seconds window{15 * 60};
  };

  explicit LoginThrottle(const Clock& clock) : LoginThrottle(clock, Limits{}) {}
  LoginThrottle(const Clock& clock, Limits limits);

  // Whole seconds until the pair may try again; nullopt when it may now.
  std::optional<std::int64_t> retry_after(std::string_view email, std::string_view address);
  void record_failure(std::string_view email, std::string_view address);
  // A success clears the account's count (not the address's).
  void record_success(std::string_view email);

 private:
  // The most recent failures of one key, oldest first, at most the limit.
  using Failures = std::deque<UnixMicros>;

  // Seconds until `failures` drops below `limit`; caller holds mutex_.
  std::optional<std::int64_t> wait_for(const std::string& key, std::size_t limit, UnixMicros now);
  // Caller holds mutex_.
  void record(const std::string& key, std::size_t limit, UnixMicros now);
  // Drops keys whose failures all left the window; caller holds mutex_.
  void sweep(UnixMicros now);

  const Clock& clock_;
  Limits limits_;
  std::mutex mutex_;
  std::unordered_map<std::string, Failures> failures_;  // guarded by mutex_
};

}  // namespace agentsudo::server
