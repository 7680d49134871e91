#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>

namespace agentsudo::server {

// Fans "new events committed" out to the live streams of each project. The
// commit writer calls notify() after every commit; a stream holds its
// project's counter and re-reads the store when the counter moves, so the
// events themselves always come from the store (and a slow stream never
// holds anyone else's memory). Thread-safe.
class CommitNotifier {
 public:
  using Counter = std::atomic<std::uint64_t>;

  // The project's commit counter, shared by all its watchers while any lives.
  std::shared_ptr<const Counter> watch(std::int64_t project_rowid);

  // Bumps the counters of the projects a commit wrote to. Never blocks on a
  // watcher.
  void notify(std::span<const std::int64_t> project_rowids);
  // Bumps every counter: after commits this node may not have heard of
  // (its change feed reconnected).
  void notify_all();

 private:
  std::mutex mutex_;
  std::unordered_map<std::int64_t, std::weak_ptr<Counter>> counters_;  // guarded by mutex_
};

}  // namespace agentsudo::server
