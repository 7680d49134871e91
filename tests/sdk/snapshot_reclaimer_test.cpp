// The reclamation of policy snapshots: nothing a reader holds is freed,
// everything else is, and memory stays bounded under constant updates.
#include "sdk/snapshot_reclaimer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace agentsudo {
namespace {

using namespace std::chrono_literals;

// A snapshot that knows whether it is still alive.
struct Snapshot {
  static inline std::atomic<int> alive{0};
  explicit Snapshot(std::uint64_t v) : version(v), twice(2 * v) { ++alive; }
  ~Snapshot() {
    // Poisoned, so a reader of freed memory sees a mismatch (ASan sees more).
    twice = 1;
    --alive;
  }
  std::uint64_t version;
  std::uint64_t twice;
};

void destroy(const void* snapshot) {
  delete static_cast<const Snapshot*>(snapshot);
}

void replace(std::atomic<const Snapshot*>& published, std::uint64_t version) {
  const Snapshot* old = published.exchange(new Snapshot(version), std::memory_order_acq_rel);
  SnapshotReclaimer::instance().retire(old, destroy);
}

TEST(SnapshotReclaimer, NeverFreesWhatAReaderHolds) {
  SnapshotReclaimer& reclaimer = SnapshotReclaimer::instance();
  std::atomic<const Snapshot*> published{new Snapshot(1)};
  std::mutex mutex;
  std::condition_variable changed;
  bool holding = false;
  bool release = false;
  std::uint64_t seen = 0;
  std::thread reader([&] {
    SnapshotReclaimer::ReadSection section;
    const Snapshot* snapshot = published.load(std::memory_order_acquire);
    std::unique_lock lock(mutex);
    holding = true;
    changed.notify_all();
    changed.wait(lock, [&] { return release; });
    // Still inside the section: the snapshot must be intact.
    seen = snapshot->twice / 2 == snapshot->version ? snapshot->version : 0;
  });
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return holding; });
  }
  int alive_before = Snapshot::alive.load();
  replace(published, 2);
  EXPECT_EQ(reclaimer.reclaim(), 1U) << "freed while a section held it";
  EXPECT_EQ(Snapshot::alive.load(), alive_before + 1);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  reader.join();
  EXPECT_EQ(seen, 1U);
  EXPECT_EQ(reclaimer.reclaim(), 0U);
  EXPECT_EQ(Snapshot::alive.load(), alive_before);
  destroy(published.load());
}

TEST(SnapshotReclaimer, SwapsUnderConcurrentReadersWithBoundedMemory) {
  SnapshotReclaimer& reclaimer = SnapshotReclaimer::instance();
  int alive_before = Snapshot::alive.load();
  std::atomic<const Snapshot*> published{new Snapshot(1)};
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> torn{0};
  std::atomic<std::uint64_t> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      std::uint64_t local_reads = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        {
          SnapshotReclaimer::ReadSection section;
          const Snapshot* snapshot = published.load(std::memory_order_acquire);
          if (snapshot->twice != 2 * snapshot->version)
            torn.fetch_add(1);
          ++local_reads;
        }
        // Like an agent, spend most of the time outside checks.
        for (int i = 0; i < 100; ++i)
          std::atomic_signal_fence(std::memory_order_seq_cst);
      }
      reads += local_reads;
    });
  }
  // Only the snapshots retired while some section stayed open can wait; with
  // more readers than cores one may be preempted inside a section for a time
  // slice, during which this loop retires hundreds. What must not happen is a
  // backlog that survives: every 1,000 updates, while the readers go on, the
  // waiting snapshots must all be freed within a deadline.
  std::uint64_t backlog_survived_at = 0;
  for (std::uint64_t v = 2; v <= 20000 && backlog_survived_at == 0; ++v) {
    replace(published, v);
    reclaimer.reclaim();
    if (v % 1000 != 0)
      continue;
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (reclaimer.reclaim() != 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    if (reclaimer.waiting() != 0)
      backlog_survived_at = v;
  }
  stop = true;
  for (auto& reader : readers)
    reader.join();
  EXPECT_EQ(backlog_survived_at, 0U) << "snapshots still waiting 5 s after that many updates";
  EXPECT_EQ(torn.load(), 0U);
  EXPECT_GT(reads.load(), 0U);
  EXPECT_EQ(reclaimer.reclaim(), 0U);
  destroy(published.load());
  EXPECT_EQ(Snapshot::alive.load(), alive_before);
}

TEST(SnapshotReclaimer, RecordsOfEndedThreadsAreReused) {
  // A thread's record is returned when it ends; many short-lived threads
  // must not make the reclaimer scan an ever-longer list.
  std::atomic<const Snapshot*> published{new Snapshot(1)};
  std::size_t records_before = SnapshotReclaimer::reader_records();
  for (int i = 0; i < 50; ++i) {
    std::thread([&] {
      SnapshotReclaimer::ReadSection section;
      EXPECT_EQ(published.load()->version * 2, published.load()->twice);
    }).join();
    replace(published, static_cast<std::uint64_t>(i) + 2);
  }
  EXPECT_LE(SnapshotReclaimer::reader_records(), records_before + 1);
  EXPECT_EQ(SnapshotReclaimer::instance().reclaim(), 0U);
  destroy(published.load());
}

}  // namespace
}  // namespace agentsudo
