#include "server/store/memory_login_failures.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace agentsudo::server {

Status MemoryLoginFailures::update(std::span<const std::string> keys, UnixMicros /*idle_before*/,
                                   const Change& change) {
  std::lock_guard lock(mutex_);
  std::vector<LoginFailures> counts;
  counts.reserve(keys.size());
  for (const auto& key : keys) {
    auto found = entries_.find(key);
    counts.push_back(found == entries_.end() ? LoginFailures{} : found->second);
  }
  change(counts);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (counts[i].fresh()) {
      entries_.erase(keys[i]);
      continue;
    }
    auto found = entries_.find(keys[i]);
    if (found == entries_.end()) {
      make_room();
      entries_.emplace(keys[i], counts[i]);
    } else {
      found->second = counts[i];
    }
  }
  return {};
}

std::size_t MemoryLoginFailures::size() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

// Idle keys have the earliest next_at, so they are the first to go.
void MemoryLoginFailures::make_room() {
  if (entries_.size() < max_keys_)
    return;
  std::size_t keep = max_keys_ - max_keys_ / 10;
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

}  // namespace agentsudo::server
