// The documented retry schedule (docs/WEBHOOKS.md), one row per attempt.
#include "server/notify/retry_schedule.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server {
namespace {

constexpr UnixMicros kSecond = 1'000'000;

TEST(RetryScheduleTest, DoublesFromOneSecondAndGivesUpAfterTheEighthAttempt) {
  const UnixMicros failed_at = 1'000 * kSecond;
  const struct {
    std::int64_t attempts_made;
    std::optional<UnixMicros> delay_seconds;
  } rows[] = {{1, 1},           {2, 2},  {3, 4},  {4, 8},
              {5, 16},          {6, 32}, {7, 64}, {8, std::nullopt},
              {9, std::nullopt}};
  for (const auto& row : rows) {
    auto next = RetrySchedule::next_attempt(row.attempts_made, failed_at);
    if (!row.delay_seconds) {
      EXPECT_FALSE(next) << row.attempts_made;
      continue;
    }
    ASSERT_TRUE(next) << row.attempts_made;
    EXPECT_EQ(*next - failed_at, *row.delay_seconds * kSecond) << row.attempts_made;
  }
}

}  // namespace
}  // namespace agentsudo::server
