#include "server/api/cursor.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

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

TEST(CursorTest, RoundTripsTheWholePositiveRange) {
  auto cursors = codec(3);
  for (std::int64_t seq :
       {std::int64_t{1}, std::int64_t{999}, std::numeric_limits<std::int64_t>::max()}) {
    EXPECT_EQ(cursors.decode(cursors.encode(seq, "p\n"), "p\n"), seq) << seq;
  }
}

// No single altered character gets past the seal, wherever it is.
TEST(CursorTest, RefusesEverySingleCharacterAlteration) {
  auto cursors = codec(1);
  const std::string scope = "project\nallowed=false\n";
  const std::string cursor = cursors.encode(4242, scope);
  for (std::size_t i = 0; i < cursor.size(); ++i) {
    for (char replacement : {'0', '7', 'a', 'f', 'F', '.'}) {
      if (cursor[i] == replacement)
        continue;
      std::string altered = cursor;
      altered[i] = replacement;
      EXPECT_FALSE(cursors.decode(altered, scope)) << altered;
    }
  }
}

TEST(CursorTest, RefusesTruncatedOrExtendedCursors) {
  auto cursors = codec(1);
  const std::string cursor = cursors.encode(77, "p");
  EXPECT_FALSE(cursors.decode(cursor.substr(0, cursor.size() - 1), "p"));
  EXPECT_FALSE(cursors.decode(cursor + "0", "p"));
  EXPECT_FALSE(cursors.decode(cursor + "." + cursor, "p"));
  EXPECT_FALSE(cursors.decode(" " + cursor, "p"));
}

// Positions start at 1, so even a correctly sealed 0 or negative one is refused.
TEST(CursorTest, RefusesNonPositivePositionsEvenWhenSealed) {
  auto cursors = codec(1);
  EXPECT_FALSE(cursors.decode(cursors.encode(0, "p"), "p"));
  EXPECT_FALSE(cursors.decode(cursors.encode(-5, "p"), "p"));
}

// The scope is bound whole: a prefix or an extension of it is another scope.
TEST(CursorTest, BindsTheWholeScope) {
  auto cursors = codec(1);
  const std::string cursor = cursors.encode(10, "p\nagent_name=a\n");
  EXPECT_FALSE(cursors.decode(cursor, "p\nagent_name=a"));
  EXPECT_FALSE(cursors.decode(cursor, "p\nagent_name=a\nscope=s\n"));
  EXPECT_FALSE(cursors.decode(cursor, "p\n"));
  EXPECT_FALSE(cursors.decode(cursor, ""));
}

}  // namespace
}  // namespace agentsudo::server::api
