#include "sdk/retry_backoff.hpp"

#include <gtest/gtest.h>

namespace agentsudo {
namespace {

using std::chrono::milliseconds;

TEST(RetryBackoff, GrowsExponentiallyWithinTheUpperHalf) {
  RetryBackoff backoff(milliseconds(100), milliseconds(100000));
  for (int attempt = 0; attempt < 6; ++attempt) {
    milliseconds ceiling(100 << attempt);
    for (int draw = 0; draw < 50; ++draw) {
      milliseconds delay = backoff.delay(attempt);
      EXPECT_GE(delay, ceiling / 2);
      EXPECT_LE(delay, ceiling);
    }
  }
}

TEST(RetryBackoff, IsCappedAndSurvivesHugeAttempts) {
  RetryBackoff backoff(milliseconds(100), milliseconds(1000));
  EXPECT_LE(backoff.delay(10), milliseconds(1000));
  EXPECT_LE(backoff.delay(1000000), milliseconds(1000));
  EXPECT_GE(backoff.delay(1000000), milliseconds(500));
}

TEST(RetryBackoff, IsJittered) {
  RetryBackoff backoff(milliseconds(1000), milliseconds(100000));
  std::set<long> seen;
  for (int i = 0; i < 20; ++i)
    seen.insert(backoff.delay(3).count());
  EXPECT_GT(seen.size(), 5U);
}

}  // namespace
}  // namespace agentsudo
