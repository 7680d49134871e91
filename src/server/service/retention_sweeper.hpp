#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/model/clock.hpp"
#include "server/store/event_retention.hpp"

namespace agentsudo::server {

// Runs a retention pass at start and then every `interval`, on a thread of
// its own: a pass sleeps between its batches, which must not hold an I/O
// thread. A failed pass is logged and tried again at the next interval.
class RetentionSweeper {
 public:
  RetentionSweeper(EventRetention& retention, const Clock& clock, std::chrono::seconds interval);
  ~RetentionSweeper();
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

  void start();
  // Waits for a pass under way to finish its batch loop; idempotent.
  void stop();

 private:
  void run();

  EventRetention& retention_;
  const Clock& clock_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace agentsudo::server
