// The live feed's plumbing: commit counters per project and the stream cap.

#include <gtest/gtest.h>

#include <array>
#include <thread>

#include "server/live/commit_notifier.hpp"
#include "server/live/stream_limiter.hpp"

namespace agentsudo::server {
namespace {

TEST(CommitNotifier, OnlyTheCommittedProjectsMove) {
  CommitNotifier notifier;
  auto first = notifier.watch(1);
  auto also_first = notifier.watch(1);
  auto second = notifier.watch(2);
  EXPECT_EQ(first, also_first);  // one counter per project, shared
  std::array<std::int64_t, 2> committed{1, 3};
  notifier.notify(committed);
  EXPECT_EQ(first->load(), 1u);
  EXPECT_EQ(second->load(), 0u);
}

TEST(CommitNotifier, AProjectWithoutWatchersCostsNothingAndStartsAfresh) {
  CommitNotifier notifier;
  std::array<std::int64_t, 1> committed{7};
  {
    auto watched = notifier.watch(7);
    notifier.notify(committed);
    EXPECT_EQ(watched->load(), 1u);
  }
  notifier.notify(committed);  // nobody watches: the entry goes
  auto fresh = notifier.watch(7);
  EXPECT_EQ(fresh->load(), 0u);
}

TEST(CommitNotifier, NotifiesFromAnotherThread) {
  CommitNotifier notifier;
  auto watched = notifier.watch(1);
  std::thread writer([&] {
    std::array<std::int64_t, 1> committed{1};
    for (int i = 0; i < 1000; ++i)
      notifier.notify(committed);
  });
  writer.join();
  EXPECT_EQ(watched->load(), 1000u);
}

TEST(StreamLimiter, CapsEachPrincipalAndGivesSlotsBack) {
  StreamLimiter limiter(2);
  auto a1 = limiter.try_acquire("alice");
  auto a2 = limiter.try_acquire("alice");
  ASSERT_TRUE(a1 && a2);
  EXPECT_EQ(limiter.try_acquire("alice"), nullptr);
  auto b1 = limiter.try_acquire("bob");  // another caller has its own slots
  EXPECT_NE(b1, nullptr);
  EXPECT_EQ(limiter.open_streams("alice"), 2u);
  auto copy = a1;  // a slot is released when its last copy goes
  a1.reset();
  EXPECT_EQ(limiter.try_acquire("alice"), nullptr);
  copy.reset();
  EXPECT_EQ(limiter.open_streams("alice"), 1u);
  EXPECT_NE(limiter.try_acquire("alice"), nullptr);
}

}  // namespace
}  // namespace agentsudo::server
