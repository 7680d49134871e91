#include "server/model/tier.hpp"

#include <gtest/gtest.h>

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
  for (const char* bad : {"", "Free", "0", "-5", "12abc", "enterprise", "1e6"}) {
    auto tier = parse_tier(bad);
    ASSERT_FALSE(tier.ok()) << bad;
    EXPECT_EQ(tier.error().field, "tier");
  }
}

}  // namespace
}  // namespace agentsudo::server
