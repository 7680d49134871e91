#include "server/auth/login_throttle.hpp"

#include <gtest/gtest.h>

#include <string>

namespace agentsudo::server {
namespace {

constexpr UnixMicros kSecond = 1'000'000;
constexpr UnixMicros kStart = 1'800'000'000 * kSecond;

class LoginThrottleTest : public testing::Test {
 protected:
  ManualClock clock_{kStart};
  LoginThrottle throttle_{clock_};
};

TEST_F(LoginThrottleTest, FiveFailuresForOneAccountBlockItForTheWindow) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(throttle_.retry_after("ada@example.com", "10.0.0.1")) << i;
    throttle_.record_failure("ada@example.com", "10.0.0.1");
    clock_.advance(10 * kSecond);
  }
  // The first failure was 50 s ago: 850 s of the 15 minutes are left.
  EXPECT_EQ(throttle_.retry_after("ada@example.com", "10.0.0.1"), 850);
  EXPECT_EQ(throttle_.retry_after("ada@example.com", "10.9.9.9"), 850)
      << "per account, any address";
  EXPECT_FALSE(throttle_.retry_after("bob@example.com", "10.0.0.1")) << "other accounts unaffected";

  clock_.advance(849 * kSecond);
  EXPECT_EQ(throttle_.retry_after("ada@example.com", "10.0.0.1"), 1);
  clock_.advance(kSecond);
  EXPECT_FALSE(throttle_.retry_after("ada@example.com", "10.0.0.1"))
      << "free once the oldest failure leaves the window";
}

TEST_F(LoginThrottleTest, SuccessClearsTheAccountButNotTheAddress) {
  for (int i = 0; i < 4; ++i)
    throttle_.record_failure("ada@example.com", "10.0.0.1");
  throttle_.record_success("ada@example.com");
  for (int i = 0; i < 4; ++i)
    throttle_.record_failure("ada@example.com", "10.0.0.1");
  EXPECT_FALSE(throttle_.retry_after("ada@example.com", "10.0.0.1"));
  for (int i = 0; i < 12; ++i)
    throttle_.record_failure("user" + std::to_string(i) + "@example.com", "10.0.0.1");
  // 20 failures from this address in all.
  EXPECT_TRUE(throttle_.retry_after("fresh@example.com", "10.0.0.1"));
  EXPECT_FALSE(throttle_.retry_after("fresh@example.com", "10.0.0.2"));
}

TEST_F(LoginThrottleTest, NineteenFromOneAddressAreStillAllowed) {
  for (int i = 0; i < 19; ++i)
    throttle_.record_failure("user" + std::to_string(i) + "@example.com", "10.0.0.1");
  EXPECT_FALSE(throttle_.retry_after("someone@example.com", "10.0.0.1"));
  throttle_.record_failure("last@example.com", "10.0.0.1");
  EXPECT_EQ(throttle_.retry_after("someone@example.com", "10.0.0.1"), 900);
}

TEST_F(LoginThrottleTest, CustomLimits) {
  LoginThrottle strict(clock_, {1, 2, std::chrono::seconds(60)});
  strict.record_failure("a@example.com", "1.1.1.1");
  EXPECT_EQ(strict.retry_after("a@example.com", "1.1.1.1"), 60);
  clock_.advance(60 * kSecond);
  EXPECT_FALSE(strict.retry_after("a@example.com", "1.1.1.1"));
}

}  // namespace
}  // namespace agentsudo::server
