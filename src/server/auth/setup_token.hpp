#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "server/auth/secret.hpp"

namespace agentsudo::server {

// The one-time secret that lets whoever started the server create the first
// admin account. Only its digest stays in memory. Thread-safe.
class SetupToken {
 public:
  // Mints a new token, replacing any earlier one; returns it to be printed once.
  std::string issue();
  // True if `candidate` is the current token (compared in constant time).
  bool matches(std::string_view candidate) const;

 private:
  mutable std::mutex mutex_;
  std::optional<SecretDigest> digest_;  // guarded by mutex_
};

}  // namespace agentsudo::server
