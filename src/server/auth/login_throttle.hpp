#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/model/clock.hpp"
#include "server/model/error.hpp"
#include "server/store/login_failure_store.hpp"
#include "server/store/memory_login_failures.hpp"

namespace agentsudo::server {

// Slows password guessing without letting a guesser lock out the owner.
// An attempt reserves its place before its password is hashed and counts as
// a failure until it succeeds, so guesses sent at once cannot outrun the
// count. Two keys each allow some attempts, then make every further one wait
// base, 2·base, 4·base ... (capped) after the one before (after it arrived,
// and again after it failed, so a slow check does not eat the wait):
// - the pair (account, source): a success from the pair clears it, and
//   another source (the owner elsewhere) is never slowed by it;
// - the source alone, across accounts (password spraying), with a higher
//   allowance: a success gives back its own attempt only.
// A key idle for `forget_after` beyond its wait is forgotten. The counts
// live in a LoginFailureStore: by default this process's memory (at most
// `max_keys`, the least delayed go first; a restart forgets), or one that
// every node of the server shares. Thread-safe.
class LoginThrottle {
 public:
  struct Limits {
    std::size_t free_per_pair = 5;
    std::size_t free_per_source = 30;
    std::chrono::milliseconds base_delay{1000};
    std::chrono::milliseconds max_delay{15 * 60 * 1000};
    std::chrono::seconds forget_after{60 * 60};
    std::size_t max_keys = 100'000;
  };

  // An admitted attempt; give it to `succeeded` or `failed` once checked.
  struct Attempt {
    std::string pair;
    std::string source;
    UnixMicros pair_delay = 0;  // the wait it imposed on the next attempt
    UnixMicros source_delay = 0;
  };

  explicit LoginThrottle(const Clock& clock) : LoginThrottle(clock, Limits{}) {}
  // Counts in this process's memory.
  LoginThrottle(const Clock& clock, Limits limits);
  // Counts in `shared`, which must outlive the throttle; `max_keys` is its
  // business then.
  LoginThrottle(const Clock& clock, Limits limits, LoginFailureStore& shared);

  // Counts an attempt of `account` from `source` as failed until it
  // succeeds; kRateLimited with retry_after_seconds (whole, at least 1) when
  // the pair or the source must wait first, which counts nothing; the
  // store's error when it could not count.
  Result<Attempt> admit(std::string_view account, std::string_view source);
  void succeeded(const Attempt& attempt);
  // Restarts the attempt's wait from now. It counted as failed already.
  void failed(const Attempt& attempt);

  // Keys counted in this process's memory; 0 with a shared store.
  std::size_t tracked_keys();

 private:
  // The wait the reserved attempt imposes on the next one.
  UnixMicros reserve(LoginFailures& entry, std::size_t free_attempts, UnixMicros now) const;
  bool forgotten(const LoginFailures& entry, UnixMicros now) const;
  UnixMicros idle_before(UnixMicros now) const;

  const Clock& clock_;
  const Limits limits_;
  std::unique_ptr<MemoryLoginFailures> own_;  // when no shared store was given
  LoginFailureStore& failures_;
};

// The source key of a client address: the address itself for IPv4, its /64
// for IPv6 (one host commonly holds a whole /64).
std::string login_source(const boost::asio::ip::address& client);

}  // namespace agentsudo::server
