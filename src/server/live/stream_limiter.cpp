#include "server/live/stream_limiter.hpp"

namespace agentsudo::server {

StreamLimiter::Slot StreamLimiter::try_acquire(const std::string& principal) {
  {
    std::lock_guard lock(mutex_);
    auto& open = open_[principal];
    if (open >= max_)
      return nullptr;
    ++open;
  }
  // The limiter outlives every stream (it lives as long as the server).
  return Slot(static_cast<void*>(this), [this, principal](void*) { release(principal); });
}

std::size_t StreamLimiter::open_streams(const std::string& principal) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(principal);
  return it == open_.end() ? 0 : it->second;
}

void StreamLimiter::release(const std::string& principal) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(principal);
  if (it != open_.end() && --it->second == 0)
    open_.erase(it);
}

}  // namespace agentsudo::server
