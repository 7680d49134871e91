#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/store/login_failure_store.hpp"

namespace agentsudo::server {

// Login failure counts in this process's memory: a restart forgets them, and
// another node never sees them. At most `max_keys` are kept: past that, the
// least delayed go first (down to 90%, so that the next thousands of new keys
// cost no sweep). Thread-safe.
class MemoryLoginFailures final : public LoginFailureStore {
 public:
  explicit MemoryLoginFailures(std::size_t max_keys) : max_keys_(max_keys) {}

  Status update(std::span<const std::string> keys, UnixMicros idle_before,
                const Change& change) override;
  std::size_t size();

 private:
  void make_room();  // the caller holds mutex_

  const std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, LoginFailures> entries_;  // guarded by mutex_
};

}  // namespace agentsudo::server
