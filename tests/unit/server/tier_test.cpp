#include "server/model/tier.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace agentsudo::server {
namespace {

TEST(TierTest, NamedTiersHaveTheReferenceQuotas) {
  EXPECT_EQ(parse_tier("free")->daily_quota, 1'000);
  EXPECT_EQ(parse_tier("pro")->daily_quota, 100'000);
}

TEST(TierTest, ANumberIsACustomQuota) {
  auto tier = parse_tier("250");
  ASSERT_TRUE(tier.ok());
  EXPECT_EQ(tier->name, "custom");
  EXPECT_EQ(tier->daily_quota, 250);
}

TEST(TierTest, RejectsAnythingElse) {
  for (const char* bad : {"", "Free", "0", "-5", "12abc", "enterprise", "1e6", "1000000001",
                          "9223372036854775807", "9223372036854775808"}) {
    auto tier = parse_tier(bad);
    ASSERT_FALSE(tier.ok()) << bad;
    EXPECT_EQ(tier.error().field, "tier");
  }
}

TEST(TierTest, CustomQuotasAreBounded) {
  EXPECT_EQ(custom_tier(1)->daily_quota, 1);
  EXPECT_EQ(custom_tier(kMaxCustomDailyQuota)->daily_quota, kMaxCustomDailyQuota);
  for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-1}, kMaxCustomDailyQuota + 1,
                           std::numeric_limits<std::int64_t>::max()}) {
    auto tier = custom_tier(bad);
    ASSERT_FALSE(tier.ok()) << bad;
    EXPECT_EQ(tier.error().field, "tier");
  }
}

}  // namespace
}  // namespace agentsudo::server
