#pragma once

#include <chrono>
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
  static constexpr std::chrono::seconds kDefaultCheckpointInterval{5};

  // `max_events_per_commit` bounds one transaction so a flood of requests
  // still sees steady commits instead of one giant one. After a commit the
  // writer signs audit checkpoints (EventStore::write_checkpoints) at most
  // once per `checkpoint_interval`, and once more when it stops.
  CommitQueue(EventStore& store, Metrics& metrics,
              std::size_t max_events_per_commit = kDefaultMaxEventsPerCommit,
              CommitObserver observer = {},
              std::chrono::milliseconds checkpoint_interval = kDefaultCheckpointInterval);
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
  void checkpoint_if_due(bool stopping);

  EventStore& store_;
  Metrics& metrics_;
  const std::size_t max_events_per_commit_;
  const CommitObserver observer_;
  const std::chrono::milliseconds checkpoint_interval_;
  // Writer thread only: whether events were committed since the last
  // checkpoint, and when the next may be signed.
  bool chain_grew_ = false;
  std::chrono::steady_clock::time_point next_checkpoint_{};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Pending> queue_;  // guarded by mutex_
  bool stopping_ = false;       // guarded by mutex_
  std::thread writer_;
};

}  // namespace agentsudo::server
