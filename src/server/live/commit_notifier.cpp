#include "server/live/commit_notifier.hpp"

namespace agentsudo::server {

std::shared_ptr<const CommitNotifier::Counter> CommitNotifier::watch(std::int64_t project_rowid) {
  std::lock_guard lock(mutex_);
  auto& slot = counters_[project_rowid];
  if (auto counter = slot.lock())
    return counter;
  auto counter = std::make_shared<Counter>(0);
  slot = counter;
  return counter;
}

void CommitNotifier::notify(std::span<const std::int64_t> project_rowids) {
  std::lock_guard lock(mutex_);
  for (std::int64_t project : project_rowids) {
    auto it = counters_.find(project);
    if (it == counters_.end())
      continue;
    if (auto counter = it->second.lock()) {
      counter->fetch_add(1);
    } else {
      counters_.erase(it);  // its last watcher is gone
    }
  }
}

void CommitNotifier::notify_all() {
  std::lock_guard lock(mutex_);
  for (auto& [project, weak] : counters_) {
    if (auto counter = weak.lock())
      counter->fetch_add(1);
  }
}

}  // namespace agentsudo::server
