// KeyOwnerCache alone: answers only within one generation, stays bounded.
#include "server/store/key_owner_cache.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server {
namespace {

SecretDigest digest(unsigned char seed) {
  SecretDigest d{};
  for (std::size_t i = 0; i < d.size(); ++i)
    d[i] = static_cast<unsigned char>(seed * 31 + i);
  return d;
}

KeyOwner owner(std::int64_t project) {
  return KeyOwner{project, "project-" + std::to_string(project), 1000 * project, project * 10};
}

TEST(KeyOwnerCacheTest, AnswersWhatWasInsertedUnderTheSameGeneration) {
  KeyOwnerCache cache;
  cache.insert(digest(1), owner(7), 3);
  auto found = cache.find(digest(1), 3);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->project_rowid, 7);
  EXPECT_EQ(found->project_id, "project-7");
  EXPECT_EQ(found->daily_quota, 7000);
  EXPECT_EQ(found->key_rowid, 70);
}

TEST(KeyOwnerCacheTest, MissesADigestItNeverSaw) {
  KeyOwnerCache cache;
  cache.insert(digest(1), owner(7), 0);
  EXPECT_FALSE(cache.find(digest(2), 0).has_value());
}

TEST(KeyOwnerCacheTest, ANewGenerationHidesEveryEntryAndTheNextInsertDropsThem) {
  KeyOwnerCache cache;
  cache.insert(digest(1), owner(1), 4);
  cache.insert(digest(2), owner(2), 4);
  EXPECT_FALSE(cache.find(digest(1), 5).has_value());
  cache.insert(digest(3), owner(3), 5);
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_FALSE(cache.find(digest(1), 4).has_value());
  EXPECT_FALSE(cache.find(digest(1), 5).has_value());
  EXPECT_TRUE(cache.find(digest(3), 5).has_value());
}

TEST(KeyOwnerCacheTest, IgnoresAnInsertReadUnderAnOlderGeneration) {
  KeyOwnerCache cache;
  cache.insert(digest(1), owner(1), 6);
  cache.insert(digest(2), owner(2), 5);  // a slow reader, overtaken by a change
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_FALSE(cache.find(digest(2), 5).has_value());
  EXPECT_FALSE(cache.find(digest(2), 6).has_value());
}

TEST(KeyOwnerCacheTest, NeverHoldsMoreThanItsCapacity) {
  KeyOwnerCache cache(3);
  for (unsigned char i = 0; i < 10; ++i) {
    cache.insert(digest(i), owner(i), 0);
    EXPECT_LE(cache.size(), 3U);
    EXPECT_TRUE(cache.find(digest(i), 0).has_value());
  }
}

TEST(KeyOwnerCacheTest, ReplacesAnEntryForTheSameDigest) {
  KeyOwnerCache cache(2);
  cache.insert(digest(1), owner(1), 0);
  cache.insert(digest(1), owner(2), 0);
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_EQ(cache.find(digest(1), 0)->project_rowid, 2);
}

}  // namespace
}  // namespace agentsudo::server
