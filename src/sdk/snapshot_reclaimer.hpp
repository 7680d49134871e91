#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace agentsudo {

// Frees the policy snapshots that managed agents' checks read, once no check
// can still be reading them, without a lock or a reference count on the
// reading side.
//
// Why this scheme: a check must stay at today's cost, so a reader may not
// write a shared cache line (a shared_ptr copy or a reader count bounces one
// between cores on every check) nor execute a full fence (a hazard pointer
// needs one between publishing and re-reading). Here each thread owns a
// record and, for the length of a check, writes the current epoch into it:
// a plain store to its own cache line, ordered only by a compiler barrier.
// The writer, which runs at most once per policy update, pays instead:
// Linux membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) makes every running
// thread of the process execute a full barrier, after which any check that
// could still hold a retired snapshot has made its record visible. A retired
// snapshot is freed once no record shows an epoch older than its retirement,
// so memory stays bounded by the snapshots a check began with in the last
// few microseconds, however often updates arrive. Where membarrier is not
// available (an old kernel, a seccomp filter), readers add the fence
// themselves and the scheme stays correct, only slower.
//
// Thread-safe. The one instance lives until the process ends and is never
// destroyed, so checks during static destruction still find it.
class SnapshotReclaimer {
 public:
  // A thread's announcement that it may be reading snapshots. Never freed;
  // recycled for a new thread once its thread has ended.
  struct alignas(64) ReaderRecord {
    // The epoch the current read section began in; 0 outside any section.
    std::atomic<std::uint64_t> active_epoch{0};
    // False while a live thread owns the record.
    std::atomic<bool> free{false};
    ReaderRecord* next = nullptr;
  };

  // Marks the calling thread as reading for its lifetime: a snapshot loaded
  // (with acquire) from a published pointer inside it stays allocated until
  // it ends. Sections must not nest (a check opens exactly one), must not
  // block or wait on another thread (retired snapshots wait for them), and
  // must end on the thread that began them.
  class ReadSection {
   public:
    ReadSection() noexcept : ReadSection(*record_for_this_thread()) {}
    // With the calling thread's record already at hand (this_thread_record()),
    // which lets a hot caller keep the registration off its own path.
    explicit ReadSection(ReaderRecord& record) noexcept : record_(&record) {
      std::uint64_t epoch = epoch_.load(std::memory_order_acquire);
      record_->active_epoch.store(epoch, std::memory_order_relaxed);
      // The writer's membarrier stands in for a full fence here; without it
      // (an odd epoch says so) the reader must pay for one.
      if (epoch & kReadersFence) [[unlikely]]
        std::atomic_thread_fence(std::memory_order_seq_cst);
      else
        std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    ~ReadSection() { record_->active_epoch.store(0, std::memory_order_release); }
    ReadSection(const ReadSection&) = delete;
    ReadSection& operator=(const ReadSection&) = delete;

   private:
    ReaderRecord* record_;
  };

  static SnapshotReclaimer& instance() noexcept;

  // The calling thread's record, or null before its first section (then
  // register_this_thread() makes one).
  static ReaderRecord* this_thread_record() noexcept { return this_thread_record_; }
  [[gnu::cold]] static ReaderRecord* register_this_thread() noexcept;

  // Hands over `object` (already unpublished: no new reader can load it),
  // to be destroyed with `destroy` once no read section that began before
  // this call is still open. Called by the writer; never blocks on readers.
  void retire(const void* object, void (*destroy)(const void*));

  // Frees every retired object no open section can hold. Returns how many
  // are still waiting. Costs one membarrier system call when any wait.
  std::size_t reclaim();

  // Objects retired and not yet freed, and objects freed, since start.
  std::size_t waiting() const;
  std::uint64_t freed() const;

  // Reader records made so far: at most the threads that ever read at once.
  static std::size_t reader_records() noexcept;

  // True when the writer's heavy fence (membarrier) is in use.
  static bool uses_membarrier() noexcept {
    return (epoch_.load(std::memory_order_relaxed) & kReadersFence) == 0;
  }

 private:
  struct Retired {
    const void* object;
    void (*destroy)(const void*);
    // Sections that began in an epoch before this one may still hold it.
    std::uint64_t epoch;
  };

  SnapshotReclaimer();

  static ReaderRecord* record_for_this_thread() noexcept {
    ReaderRecord* record = this_thread_record_;
    if (record == nullptr) [[unlikely]]
      record = register_this_thread();
    return record;
  }
  static void release_this_thread() noexcept;
  // Makes every running thread of the process pass a full barrier; false
  // if that could not be done.
  static bool heavy_fence() noexcept;

  mutable std::mutex mutex_;
  std::vector<Retired> retired_;  // Guarded by mutex_.
  std::uint64_t freed_ = 0;       // Guarded by mutex_.

  friend struct ThreadRecordRelease;
  // Constant-initialised, so the check's read of them needs no guard.
  // The low bit of every epoch when readers must fence themselves (no
  // membarrier): one load tells a reader both things.
  static constexpr std::uint64_t kReadersFence = 1;
  // The current epoch, stepping by 2 so that its low bit never changes after
  // start-up; never 0, which means "not reading".
  static inline constinit std::atomic<std::uint64_t> epoch_{2};
  // Every record ever made, pushed at the head and never removed.
  static inline constinit std::atomic<ReaderRecord*> records_{nullptr};
  // Initial-exec: the library is built position-independent, and the
  // default model for that would make every check call __tls_get_addr (and
  // spill its arguments around the call) even after the linker relaxes it.
  [[gnu::tls_model(
      "initial-exec")]] static inline constinit thread_local ReaderRecord* this_thread_record_ =
      nullptr;
  static inline constinit thread_local bool this_thread_exited_ = false;
};

}  // namespace agentsudo
