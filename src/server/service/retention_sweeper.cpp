#include "server/service/retention_sweeper.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace agentsudo::server {

RetentionSweeper::RetentionSweeper(EventRetention& retention, const Clock& clock,
                                   std::chrono::seconds interval)
    : retention_(retention), clock_(clock), interval_(interval) {}

RetentionSweeper::~RetentionSweeper() {
  stop();
}

void RetentionSweeper::start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "retention");
    run();
  });
}

void RetentionSweeper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void RetentionSweeper::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    auto pass = retention_.sweep(clock_.now());
    if (!pass) {
      spdlog::warn("retention pass failed: {}", pass.error().message);
    } else if (pass->events_removed > 0 || pass->partitions_dropped > 0) {
      spdlog::info("retention removed {} events ({} partitions dropped)", pass->events_removed,
                   pass->partitions_dropped);
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace agentsudo::server
