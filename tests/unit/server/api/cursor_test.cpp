#include "server/api/cursor.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server::api {
namespace {

CursorCodec codec(unsigned char fill) {
  std::array<unsigned char, CursorCodec::kKeyBytes> key;
  key.fill(fill);
  return CursorCodec(key);
}

TEST(CursorTest, RoundTrips) {
  auto cursors = codec(1);
  std::string cursor = cursors.encode(12345, "project\nagent_name=a\n");
  EXPECT_EQ(cursors.decode(cursor, "project\nagent_name=a\n"), 12345);
}

TEST(CursorTest, RefusesOtherFiltersOrProjects) {
  auto cursors = codec(1);
  std::string cursor = cursors.encode(12345, "project\nagent_name=a\n");
  EXPECT_FALSE(cursors.decode(cursor, "project\nagent_name=b\n"));
  EXPECT_FALSE(cursors.decode(cursor, "other\nagent_name=a\n"));
}

TEST(CursorTest, RefusesForgedOrGarbledCursors) {
  auto cursors = codec(1);
  std::string cursor = cursors.encode(12345, "p");
  std::string moved = "12346" + cursor.substr(cursor.find('.'));
  EXPECT_FALSE(cursors.decode(moved, "p"));
  EXPECT_FALSE(codec(2).decode(cursor, "p"));
  for (const char* bad : {"", ".", "abc", "12345", "12345.", "-1.00", "0.00", "x.y"}) {
    EXPECT_FALSE(cursors.decode(bad, "p")) << bad;
  }
}

}  // namespace
}  // namespace agentsudo::server::api
