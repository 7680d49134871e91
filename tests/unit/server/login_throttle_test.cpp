#include "server/auth/login_throttle.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace agentsudo::server {
namespace {

constexpr UnixMicros kSecond = 1'000'000;
constexpr UnixMicros kStart = 1'800'000'000 * kSecond;
const std::string kAda = "ada@example.com";
const std::string kAttacker = "203.0.113.7";
const std::string kHome = "198.51.100.20";

// Whole seconds to wait, 0 when admitted.
std::int64_t wait_of(const Result<LoginThrottle::Attempt>& admitted) {
  if (admitted)
    return 0;
  EXPECT_EQ(admitted.error().kind, ErrorKind::kRateLimited);
  return admitted.error().retry_after_seconds.value_or(-1);
}

class LoginThrottleTest : public testing::Test {
 protected:
  std::int64_t attempt(const std::string& account, const std::string& source) {
    return wait_of(throttle_.admit(account, source));
  }

  ManualClock clock_{kStart};
  LoginThrottle throttle_{clock_};
};

TEST_F(LoginThrottleTest, AnAttemptCountsWhenAdmittedNotWhenItFails) {
  // Nothing is reported back between them: all five are in flight at once.
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(attempt(kAda, kAttacker), 0) << i;
  EXPECT_EQ(attempt(kAda, kAttacker), 1);
}

TEST_F(LoginThrottleTest, DelaysDoubleUpToTheCap) {
  for (int i = 0; i < 5; ++i)
    attempt(kAda, kAttacker);
  std::vector<std::int64_t> waits;
  for (int i = 0; i < 14; ++i) {
    std::int64_t wait = attempt(kAda, kAttacker);
    waits.push_back(wait);
    clock_.advance(wait * kSecond);
    ASSERT_EQ(attempt(kAda, kAttacker), 0) << "admitted once the wait is over";
  }
  EXPECT_EQ(waits,
            (std::vector<std::int64_t>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900}));
}

TEST_F(LoginThrottleTest, ARefusalCountsNothing) {
  for (int i = 0; i < 5; ++i)
    attempt(kAda, kAttacker);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(attempt(kAda, kAttacker), 1);
  clock_.advance(kSecond);
  EXPECT_EQ(attempt(kAda, kAttacker), 0);
  EXPECT_EQ(attempt(kAda, kAttacker), 2);
}

TEST_F(LoginThrottleTest, TheWaitStartsAgainWhenACheckFails) {
  for (int i = 0; i < 4; ++i)
    attempt(kAda, kAttacker);
  auto fifth = throttle_.admit(kAda, kAttacker);
  ASSERT_TRUE(fifth.ok());
  clock_.advance(3 * kSecond);  // a check slower than the wait it imposed
  throttle_.failed(*fifth);
  EXPECT_EQ(attempt(kAda, kAttacker), 1) << "the wait runs again from the failure";
}

TEST_F(LoginThrottleTest, AFailureWithinTheAllowanceImposesNoWait) {
  auto first = throttle_.admit(kAda, kAttacker);
  ASSERT_TRUE(first.ok());
  throttle_.failed(*first);
  EXPECT_EQ(attempt(kAda, kAttacker), 0);
}

TEST_F(LoginThrottleTest, TheOwnerElsewhereIsNeverSlowedByTheAttacker) {
  for (int i = 0; i < 5; ++i)
    attempt(kAda, kAttacker);
  EXPECT_GT(attempt(kAda, kAttacker), 0);
  auto owner = throttle_.admit(kAda, kHome);
  ASSERT_TRUE(owner.ok());
  throttle_.succeeded(*owner);
  EXPECT_GT(attempt(kAda, kAttacker), 0) << "the owner's success is not the attacker's";
}

TEST_F(LoginThrottleTest, ASuccessClearsThePair) {
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i)
      ASSERT_EQ(attempt(kAda, kHome), 0);
    auto right = throttle_.admit(kAda, kHome);
    ASSERT_TRUE(right.ok()) << round;
    throttle_.succeeded(*right);
  }
}

TEST_F(LoginThrottleTest, SprayingFromOneSourceIsDelayedAcrossAccounts) {
  for (int i = 0; i < 30; ++i)
    ASSERT_EQ(attempt("user" + std::to_string(i) + "@example.com", kAttacker), 0) << i;
  EXPECT_EQ(attempt("fresh@example.com", kAttacker), 1);
  EXPECT_EQ(attempt("fresh@example.com", kHome), 0) << "other sources are not slowed";
  clock_.advance(kSecond);
  EXPECT_EQ(attempt("fresh@example.com", kAttacker), 0);
  EXPECT_EQ(attempt("other@example.com", kAttacker), 2);
}

TEST_F(LoginThrottleTest, ASuccessGivesTheSourceBackOnlyItsOwnAttempt) {
  for (int i = 0; i < 29; ++i)
    attempt("user" + std::to_string(i) + "@example.com", kAttacker);
  // The guesser's own valid account, logged into again and again.
  for (int i = 0; i < 10; ++i) {
    auto own = throttle_.admit("mine@example.com", kAttacker);
    ASSERT_TRUE(own.ok()) << i;
    throttle_.succeeded(*own);
  }
  EXPECT_EQ(attempt("next@example.com", kAttacker), 0) << "the 30th failure";
  EXPECT_EQ(attempt("again@example.com", kAttacker), 1);
}

TEST_F(LoginThrottleTest, AnIdleKeyIsForgotten) {
  for (int i = 0; i < 7; ++i) {
    clock_.advance(900 * kSecond);
    attempt(kAda, kAttacker);
  }
  clock_.advance(900 * kSecond + 3600 * kSecond);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(attempt(kAda, kAttacker), 0) << i;
}

TEST_F(LoginThrottleTest, MemoryStaysBoundedUnderAFloodOfKeys) {
  LoginThrottle::Limits limits;
  limits.max_keys = 1000;
  LoginThrottle small(clock_, limits);
  // The attacker's delayed pair, then a flood of new accounts and sources.
  for (int i = 0; i < 6; ++i)
    (void)small.admit(kAda, kAttacker);
  for (int i = 0; i < 20'000; ++i) {
    auto source = "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1";
    (void)small.admit("user" + std::to_string(i) + "@example.com", source);
    ASSERT_LE(small.tracked_keys(), limits.max_keys);
  }
  EXPECT_GT(wait_of(small.admit(kAda, kAttacker)), 0) << "the least delayed keys go first";
}

TEST(LoginSourceTest, Ipv6SourcesAreTheirSlash64) {
  namespace ip = boost::asio::ip;
  EXPECT_EQ(login_source(ip::make_address("203.0.113.7")), "203.0.113.7");
  EXPECT_EQ(login_source(ip::make_address("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
  EXPECT_EQ(login_source(ip::make_address("2001:db8:1:2:bbbb::9")), "2001:db8:1:2::/64");
}

}  // namespace
}  // namespace agentsudo::server
