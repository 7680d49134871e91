#include "core/timestamp.hpp"

#include <gtest/gtest.h>

namespace agentsudo {
namespace {

struct ParseCase {
  const char* text;
  std::optional<UnixMicros> expected;
};

class ParseRfc3339Test : public testing::TestWithParam<ParseCase> {};

TEST_P(ParseRfc3339Test, MatchesExpectation) {
  const auto& c = GetParam();
  EXPECT_EQ(parse_rfc3339(c.text), c.expected) << c.text;
}

constexpr UnixMicros kJan15 = 1768473000LL * kMicrosPerSecond;  // 2026-01-15T10:30:00Z

INSTANTIATE_TEST_SUITE_P(
    Table, ParseRfc3339Test,
    testing::Values(ParseCase{"2026-01-15T10:30:00Z", kJan15},
                    ParseCase{"2026-01-15T10:30:00.123456Z", kJan15 + 123456},
                    ParseCase{"2026-01-15t10:30:00.5z", kJan15 + 500000},
                    ParseCase{"2026-01-15T10:30:00.1234567Z", kJan15 + 123456},
                    ParseCase{"2026-01-15T12:30:00+02:00", kJan15},
                    ParseCase{"2026-01-15T05:00:00-05:30", kJan15},
                    ParseCase{"1970-01-01T00:00:00Z", 0},
                    ParseCase{"2024-02-29T00:00:00Z", 1709164800LL * kMicrosPerSecond},
                    ParseCase{"2026-02-29T00:00:00Z", std::nullopt},
                    ParseCase{"2026-01-15 10:30:00Z", std::nullopt},
                    ParseCase{"2026-01-15T10:30:00", std::nullopt},
                    ParseCase{"2026-01-15T24:00:00Z", std::nullopt},
                    ParseCase{"2026-01-15T10:60:00Z", std::nullopt},
                    ParseCase{"2026-01-15T10:30:60Z", std::nullopt},
                    ParseCase{"2026-13-01T00:00:00Z", std::nullopt},
                    ParseCase{"1969-12-31T23:59:59Z", std::nullopt},
                    ParseCase{"9999-12-31T23:59:59Z", 253402300799LL * kMicrosPerSecond},
                    ParseCase{"9999-12-31T23:59:59-01:00", std::nullopt},
                    ParseCase{"2026-01-15T10:30:00.Z", std::nullopt},
                    ParseCase{"2026-01-15T10:30:00Zjunk", std::nullopt},
                    ParseCase{"", std::nullopt}, ParseCase{"yesterday", std::nullopt}));

TEST(FormatRfc3339Test, AlwaysSixFractionDigitsAndZ) {
  EXPECT_EQ(format_rfc3339(kJan15), "2026-01-15T10:30:00.000000Z");
  EXPECT_EQ(format_rfc3339(kJan15 + 123456), "2026-01-15T10:30:00.123456Z");
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000000Z");
}

TEST(FormatRfc3339Test, RoundTripsThroughParse) {
  for (UnixMicros t : {UnixMicros{0}, kJan15 + 1, UnixMicros{253402300799999999}}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t);
  }
}

TEST(UtcDayTest, SplitsAtMidnight) {
  EXPECT_EQ(utc_day(0), 0);
  EXPECT_EQ(utc_day(kMicrosPerDay - 1), 0);
  EXPECT_EQ(utc_day(kMicrosPerDay), 1);
  EXPECT_EQ(utc_day(-1), -1);
}

}  // namespace
}  // namespace agentsudo
