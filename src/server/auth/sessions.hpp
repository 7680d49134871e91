#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "server/model/clock.hpp"
#include "server/model/error.hpp"
#include "server/store/account_store.hpp"

namespace agentsudo::server {

// A session just started: the token goes into the cookie and is then
// forgotten; only its digest was stored.
struct StartedSession {
  std::string token;
  std::string csrf_token;
  UnixMicros expires_at = 0;
};

// Dashboard sessions with a sliding expiry: each use pushes the end to
// `ttl` after that use. Thread-safe.
class Sessions {
 public:
  static constexpr std::chrono::seconds kDefaultTtl = std::chrono::hours(12);

  Sessions(AccountStore& accounts, const Clock& clock, std::chrono::seconds ttl = kDefaultTtl);

  Result<StartedSession> start(const User& user);
  // The live session the token names, its expiry slid forward.
  // kUnauthorized for an unknown, malformed or expired token.
  Result<SessionRecord> resume(std::string_view token);
  Status end(std::string_view token);

  std::chrono::seconds ttl() const { return ttl_; }

 private:
  AccountStore& accounts_;
  const Clock& clock_;
  std::chrono::seconds ttl_;
};

}  // namespace agentsudo::server
