#include "sdk/snapshot_reclaimer.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <limits>

namespace agentsudo {
namespace {

long membarrier(int command) noexcept {
  return ::syscall(__NR_membarrier, command, 0U, 0);
}

// Registers the process for expedited private membarriers; false when the
// kernel (or a seccomp filter) does not offer them.
bool register_membarrier() noexcept {
  long commands = membarrier(MEMBARRIER_CMD_QUERY);
  if (commands < 0 || (commands & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
    return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

}  // namespace

// Returns the thread's record when the thread ends, so that a new thread
// can reuse it and the record list stays as long as the most threads that
// ever read at once.
struct ThreadRecordRelease {
  ~ThreadRecordRelease() {
    SnapshotReclaimer::ReaderRecord* record = SnapshotReclaimer::this_thread_record_;
    SnapshotReclaimer::this_thread_record_ = nullptr;
    SnapshotReclaimer::this_thread_exited_ = true;
    if (record == nullptr)
      return;
    record->active_epoch.store(0, std::memory_order_release);
    record->free.store(true, std::memory_order_release);
  }
};

SnapshotReclaimer& SnapshotReclaimer::instance() noexcept {
  // Deliberately never destroyed; see the class comment.
  static SnapshotReclaimer* reclaimer = new SnapshotReclaimer();
  return *reclaimer;
}

SnapshotReclaimer::SnapshotReclaimer() {
  // Before any snapshot exists, so no reader has seen the epoch yet.
  if (!register_membarrier())
    epoch_.fetch_or(kReadersFence, std::memory_order_relaxed);
}

SnapshotReclaimer::ReaderRecord* SnapshotReclaimer::register_this_thread() noexcept {
  ReaderRecord* record = nullptr;
  if (!this_thread_exited_) {
    for (ReaderRecord* r = records_.load(std::memory_order_acquire); r != nullptr; r = r->next) {
      bool expected = true;
      if (r->free.load(std::memory_order_relaxed) &&
          r->free.compare_exchange_strong(expected, false, std::memory_order_acquire)) {
        record = r;
        break;
      }
    }
  }
  if (record == nullptr) {
    // Out of memory here would leave the check nothing to announce itself
    // with; a check cannot report it, so it is as fatal as in any allocation
    // the process cannot do without.
    record = new ReaderRecord();
    ReaderRecord* head = records_.load(std::memory_order_relaxed);
    do {
      record->next = head;
    } while (!records_.compare_exchange_weak(head, record, std::memory_order_release,
                                             std::memory_order_relaxed));
  }
  this_thread_record_ = record;
  // A thread checking from its own thread_local destructors after this one
  // ran gets a record of its own that is never recycled (a few bytes, once).
  if (!this_thread_exited_) {
    static thread_local ThreadRecordRelease release;
    (void)release;
  }
  return record;
}

bool SnapshotReclaimer::heavy_fence() noexcept {
  // Readers fence themselves when membarrier is unavailable; the writer's
  // own fence completes the pairing.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!uses_membarrier())
    return true;
  // Registered, it does not fail; if it ever did, nothing is freed this time.
  return membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0;
}

void SnapshotReclaimer::retire(const void* object, void (*destroy)(const void*)) {
  std::lock_guard lock(mutex_);
  // The object was unpublished before this increment: a section that reads
  // the new epoch (acquire) also sees the new pointer, never this object.
  std::uint64_t epoch = epoch_.fetch_add(2, std::memory_order_acq_rel) + 2;
  retired_.push_back({object, destroy, epoch});
}

std::size_t SnapshotReclaimer::reclaim() {
  std::lock_guard lock(mutex_);
  if (retired_.empty())
    return 0;
  if (!heavy_fence())
    return retired_.size();
  std::uint64_t oldest_active = std::numeric_limits<std::uint64_t>::max();
  for (ReaderRecord* r = records_.load(std::memory_order_acquire); r != nullptr; r = r->next) {
    std::uint64_t active = r->active_epoch.load(std::memory_order_acquire);
    if (active != 0)
      oldest_active = std::min(oldest_active, active);
  }
  auto still_held = [&](const Retired& retired) { return retired.epoch > oldest_active; };
  auto keep_end = std::stable_partition(retired_.begin(), retired_.end(), still_held);
  for (auto it = keep_end; it != retired_.end(); ++it) {
    it->destroy(it->object);
    ++freed_;
  }
  retired_.erase(keep_end, retired_.end());
  return retired_.size();
}

std::size_t SnapshotReclaimer::reader_records() noexcept {
  std::size_t count = 0;
  for (ReaderRecord* r = records_.load(std::memory_order_acquire); r != nullptr; r = r->next)
    ++count;
  return count;
}

std::size_t SnapshotReclaimer::waiting() const {
  std::lock_guard lock(mutex_);
  return retired_.size();
}

std::uint64_t SnapshotReclaimer::freed() const {
  std::lock_guard lock(mutex_);
  return freed_;
}

}  // namespace agentsudo
