#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace agentsudo::server {

// Caps the long-lived streams each caller holds open at once. Thread-safe.
class StreamLimiter {
 public:
  // Releases its slot when the last copy goes.
  using Slot = std::shared_ptr<void>;

  explicit StreamLimiter(std::size_t max_per_principal) : max_(max_per_principal) {}

  // A slot for one more stream of `principal`, or null when it holds the
  // maximum already.
  Slot try_acquire(const std::string& principal);

  std::size_t open_streams(const std::string& principal);

 private:
  void release(const std::string& principal);

  const std::size_t max_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> open_;  // guarded by mutex_
};

}  // namespace agentsudo::server
