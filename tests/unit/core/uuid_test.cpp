#include "core/uuid.hpp"

#include <gtest/gtest.h>

#include <set>

namespace agentsudo {
namespace {

TEST(UuidTest, IsCanonicalVersion7) {
  std::string id = make_uuid_v7(1768473000123);
  EXPECT_TRUE(is_canonical_uuid(id)) << id;
  EXPECT_EQ(id[14], '7');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
  EXPECT_EQ(id.substr(0, 13), "019bc134-78bb");  // 1768473000123 ms in hex
}

TEST(UuidTest, DistinctWithinOneMillisecond) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i)
    ids.insert(make_uuid_v7(42));
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(UuidTest, CanonicalFormIsStrict) {
  EXPECT_TRUE(is_canonical_uuid("01a22524-dd99-7eab-bb95-a697032b133e"));
  EXPECT_FALSE(is_canonical_uuid("01A22524-DD99-7EAB-BB95-A697032B133E"));
  EXPECT_FALSE(is_canonical_uuid("01a22524dd997eabbb95a697032b133e"));
  EXPECT_FALSE(is_canonical_uuid("01a22524-dd99-7eab-bb95-a697032b133"));
  EXPECT_FALSE(is_canonical_uuid("' OR 1=1 --"));
}

}  // namespace
}  // namespace agentsudo
