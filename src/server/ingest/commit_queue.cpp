#include "server/ingest/commit_queue.hpp"

#include <pthread.h>

#include <algorithm>

namespace agentsudo::server {

CommitQueue::CommitQueue(EventStore& store, Metrics& metrics, std::size_t max_events_per_commit,
                         CommitObserver observer, std::chrono::milliseconds checkpoint_interval)
    : store_(store),
      metrics_(metrics),
      max_events_per_commit_(max_events_per_commit),
      observer_(std::move(observer)),
      checkpoint_interval_(checkpoint_interval),
      writer_([this] { run(); }) {}

CommitQueue::~CommitQueue() {
  stop();
}

void CommitQueue::submit(EventBatch& batch, Completion done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Pending{&batch, std::move(done)});
  }
  wake_.notify_one();
}

void CommitQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable())
    writer_.join();
}

void CommitQueue::run() {
  pthread_setname_np(pthread_self(), "commit-writer");  // shows in top -H and perf
  for (;;) {
    auto round = take_round();
    if (!round.empty())
      commit_round(round);
    bool stopping = false;
    if (round.empty()) {
      std::lock_guard lock(mutex_);
      stopping = stopping_ && queue_.empty();
    }
    checkpoint_if_due(stopping);
    if (stopping)
      return;  // nothing left to commit
  }
}

// On the way out it signs whatever grew, the journals' events included.
// Failing to sign costs tamper evidence, never events: it is retried at the
// next interval.
void CommitQueue::checkpoint_if_due(bool stopping) {
  auto now = std::chrono::steady_clock::now();
  if (!stopping && (!chain_grew_ || now < next_checkpoint_))
    return;
  if (store_.write_checkpoints().ok())
    chain_grew_ = false;
  next_checkpoint_ = now + checkpoint_interval_;
}

// Waits for work (or, while a checkpoint is owed, until it is due), then
// takes queued batches up to the per-commit bound (always at least one,
// however large).
std::vector<CommitQueue::Pending> CommitQueue::take_round() {
  std::unique_lock lock(mutex_);
  auto has_work = [this] { return stopping_ || !queue_.empty(); };
  if (chain_grew_)
    wake_.wait_until(lock, next_checkpoint_, has_work);
  else
    wake_.wait(lock, has_work);
  std::size_t events = 0;
  std::size_t taken = 0;
  while (taken < queue_.size() &&
         (taken == 0 || events + queue_[taken].batch->events.size() <= max_events_per_commit_)) {
    events += queue_[taken].batch->events.size();
    ++taken;
  }
  std::vector<Pending> round(std::make_move_iterator(queue_.begin()),
                             std::make_move_iterator(queue_.begin() + static_cast<long>(taken)));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(taken));
  return round;
}

void CommitQueue::commit_round(std::vector<Pending>& round) {
  std::vector<EventBatch*> batches;
  batches.reserve(round.size());
  std::size_t events = 0;
  for (auto& pending : round) {
    batches.push_back(pending.batch);
    events += pending.batch->events.size();
  }
  std::vector<CommittedBatch> committed(round.size());
  Status status = store_.append(batches, committed);
  if (status) {
    for (const auto& batch : committed)
      events -= batch.duplicates.size();
    chain_grew_ = true;
    metrics_.events_stored.add(events);
    metrics_.commit_batch_size.observe(static_cast<double>(events));
  }
  std::vector<std::int64_t> projects;
  if (status && observer_) {
    for (const EventBatch* batch : batches)
      projects.push_back(batch->project_rowid);
    std::sort(projects.begin(), projects.end());
    projects.erase(std::unique(projects.begin(), projects.end()), projects.end());
  }
  for (std::size_t i = 0; i < round.size(); ++i) {
    if (status) {
      round[i].done(std::move(committed[i]));
    } else {
      round[i].done(status.error());
    }
  }
  // Announced once the callers are released, so the feed never delays an answer.
  if (!projects.empty())
    observer_(projects);
}

}  // namespace agentsudo::server
