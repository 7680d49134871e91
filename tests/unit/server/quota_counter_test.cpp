#include "server/quota/quota_counter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "server/model/clock.hpp"

namespace agentsudo::server {
namespace {

constexpr UnixMicros kNoon = 20'000 * kMicrosPerDay + 12 * 3600 * kMicrosPerSecond;

QuotaCounter::UsageLoader stored(std::int64_t already) {
  return [already](std::int64_t, std::int64_t) -> Result<std::int64_t> { return already; };
}

TEST(QuotaCounterTest, GrantsUpToTheLimitThenRefuses) {
  QuotaCounter quota(stored(0));
  for (int i = 0; i < 3; ++i) {
    auto decision = quota.reserve(1, 3, 1, kNoon);
    ASSERT_TRUE(decision.ok());
    EXPECT_TRUE(decision->granted);
    EXPECT_EQ(decision->remaining, 2 - i);
  }
  auto refused = quota.reserve(1, 3, 1, kNoon);
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->granted);
  EXPECT_EQ(refused->remaining, 0);
  EXPECT_EQ(refused->resets_at, 20'001 * kMicrosPerDay);
}

TEST(QuotaCounterTest, ABatchThatDoesNotFitIsRefusedWhole) {
  QuotaCounter quota(stored(0));
  ASSERT_TRUE(quota.reserve(1, 10, 7, kNoon)->granted);
  auto too_big = quota.reserve(1, 10, 4, kNoon);
  EXPECT_FALSE(too_big->granted);
  EXPECT_EQ(too_big->remaining, 3);
  EXPECT_TRUE(quota.reserve(1, 10, 3, kNoon)->granted);
}

TEST(QuotaCounterTest, StartsFromWhatTheStoreAlreadyHolds) {
  QuotaCounter quota(stored(999));
  EXPECT_TRUE(quota.reserve(1, 1000, 1, kNoon)->granted);
  EXPECT_FALSE(quota.reserve(1, 1000, 1, kNoon)->granted);
}

TEST(QuotaCounterTest, ResetsAtUtcMidnight) {
  ManualClock clock(kNoon);
  std::vector<std::int64_t> days_loaded;
  QuotaCounter quota([&](std::int64_t, std::int64_t day) -> Result<std::int64_t> {
    days_loaded.push_back(day);
    return std::int64_t{0};
  });
  ASSERT_TRUE(quota.reserve(1, 2, 2, clock.now())->granted);
  clock.set(20'001 * kMicrosPerDay - 1);  // one microsecond before midnight
  EXPECT_FALSE(quota.reserve(1, 2, 1, clock.now())->granted);
  clock.advance(1);  // midnight
  auto next_day = quota.reserve(1, 2, 1, clock.now());
  EXPECT_TRUE(next_day->granted);
  EXPECT_EQ(next_day->day, 20'001);
  EXPECT_EQ(next_day->resets_at, 20'002 * kMicrosPerDay);
  EXPECT_EQ(days_loaded, (std::vector<std::int64_t>{20'000, 20'001}));
}

TEST(QuotaCounterTest, ReleaseGivesBackAFailedWrite) {
  QuotaCounter quota(stored(0));
  auto decision = quota.reserve(1, 5, 5, kNoon);
  ASSERT_TRUE(decision->granted);
  quota.release(1, decision->day, 5);
  EXPECT_TRUE(quota.reserve(1, 5, 5, kNoon)->granted);
}

TEST(QuotaCounterTest, ReleaseFromYesterdayDoesNotTouchToday) {
  QuotaCounter quota(stored(0));
  auto yesterday = quota.reserve(1, 5, 5, kNoon);
  ASSERT_TRUE(quota.reserve(1, 5, 5, kNoon + kMicrosPerDay)->granted);
  quota.release(1, yesterday->day, 5);
  EXPECT_FALSE(quota.reserve(1, 5, 1, kNoon + kMicrosPerDay)->granted);
}

TEST(QuotaCounterTest, ProjectsAreCountedApart) {
  QuotaCounter quota(stored(0));
  EXPECT_TRUE(quota.reserve(1, 1, 1, kNoon)->granted);
  EXPECT_TRUE(quota.reserve(2, 1, 1, kNoon)->granted);
  EXPECT_FALSE(quota.reserve(1, 1, 1, kNoon)->granted);
}

TEST(QuotaCounterTest, NeverOvershootsUnderConcurrency) {
  QuotaCounter quota(stored(0));
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (quota.reserve(1, 5000, 1, kNoon)->granted)
          ++granted;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(granted.load(), 5000);
}

TEST(QuotaCounterTest, AStoreFailureIsAnErrorNotAGrant) {
  QuotaCounter quota([](std::int64_t, std::int64_t) -> Result<std::int64_t> {
    return make_error(ErrorKind::kInternal, "disk on fire");
  });
  auto decision = quota.reserve(1, 10, 1, kNoon);
  ASSERT_FALSE(decision.ok());
  EXPECT_EQ(decision.error().kind, ErrorKind::kInternal);
}

}  // namespace
}  // namespace agentsudo::server
