#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "server/metrics/metrics.hpp"
#include "server/model/error.hpp"
#include "server/store/event_store.hpp"

namespace agentsudo::server {

// Group commit: batches submitted from any thread wait here while one writer
// thread commits everything that has queued up in a single durable
// transaction. Under load one fsync covers many requests; when idle a batch
// is committed as soon as it arrives. Thread-safe.
class CommitQueue {
 public:
  // Called on the writer thread once the batch is durable (or has failed).
  using Completion = std::function<void(Result<CommittedBatch>)>;
  // Called on the writer thread after each successful commit with the
  // projects it added events to (the live feed's wake-up). Must not block.
  using CommitObserver = std::function<void(std::span<const std::int64_t> project_rowids)>;

  static constexpr std::size_t kDefaultMaxEventsPerCommit = 8192;

  // `max_events_per_commit` bounds one transaction so a flood of requests
  // still sees steady commits instead of one giant one.
  CommitQueue(EventStore& store, Metrics& metrics,
              std::size_t max_events_per_commit = kDefaultMaxEventsPerCommit,
              CommitObserver observer = {});
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // `batch` must stay alive and unchanged until `done` is called.
  void submit(EventBatch& batch, Completion done);

  // Commits everything submitted so far, then stops the writer thread.
  void stop();

 private:
  struct Pending {
    EventBatch* batch;
    Completion done;
  };

  void run();
  std::vector<Pending> take_round();
  void commit_round(std::vector<Pending>& round);

  EventStore& store_;
  Metrics& metrics_;
  const std::size_t max_events_per_commit_;
  const CommitObserver observer_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Pending> queue_;  // guarded by mutex_
  bool stopping_ = false;       // guarded by mutex_
  std::thread writer_;
};

}  // namespace agentsudo::server
