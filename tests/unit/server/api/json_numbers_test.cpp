#include "server/api/json_numbers.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>

namespace agentsudo::server::api {
namespace json = boost::json;
namespace {

constexpr std::size_t kDepth = 32;

TEST(JsonNumbersTest, KeepsEveryNumberThatComesBackAsWritten) {
  for (const char* text :
       {"{}", "[]", "0", "-1", "18446744073709551615", "-9223372036854775808", "-0.0", "0.5", "1E2",
        "{\"a\":[1,2,{\"b\":-0.0e1}]}", "\"-0\"", "\"123456789012345678901234567890\""}) {
    auto value = parse_json_exactly(text, kDepth);
    ASSERT_TRUE(value.ok()) << text << ": " << value.error().message;
    auto again = parse_json_exactly(json::serialize(*value), kDepth);
    ASSERT_TRUE(again.ok()) << text;
    EXPECT_EQ(*again, *value) << text;
  }
  EXPECT_EQ(parse_json_exactly("18446744073709551615", kDepth)->as_uint64(),
            18446744073709551615ULL);
  EXPECT_TRUE(std::signbit(parse_json_exactly("-0.0", kDepth)->as_double()));
}

// Boost.JSON 1.81 parses this one unit in the last place off; a client that
// reads our answer back must get the double its own text denotes.
TEST(JsonNumbersTest, DoublesAreCorrectlyRounded) {
  const std::string text = "123456785302.1467890";
  double expected = 0;
  std::from_chars(text.data(), text.data() + text.size(), expected);
  auto value = parse_json_exactly(text, kDepth);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->as_double(), expected);
  EXPECT_EQ(parse_json_exactly(json::serialize(*value), kDepth)->as_double(), expected);
}

TEST(JsonNumbersTest, BeyondADoublesRangeIsAnInfinityForTheCallerToRefuse) {
  auto value = parse_json_exactly("[1e400,-1e400]", kDepth);
  ASSERT_TRUE(value.ok());
  EXPECT_TRUE(std::isinf(value->as_array()[0].as_double()));
  EXPECT_TRUE(std::isinf(value->as_array()[1].as_double()));
}

TEST(JsonNumbersTest, RefusesIntegersBeyond64BitsAndMinusZeroNamingTheMember) {
  struct Case {
    const char* text;
    const char* field;
    std::optional<std::size_t> index;
  };
  for (const Case& c : {
           Case{"18446744073709551616", "", std::nullopt},
           Case{"{\"metadata\":{\"n\":-9223372036854775809}}", "metadata", std::nullopt},
           Case{"{\"a\":1,\"metadata\":[[-0]]}", "metadata", std::nullopt},
           Case{"[{},{\"x\":1},{\"metadata\":{\"n\":123456789012345678901234567890}}]", "metadata",
                2},
           Case{"[1,-0]", "", 1},
       }) {
    auto value = parse_json_exactly(c.text, kDepth);
    ASSERT_FALSE(value.ok()) << c.text;
    EXPECT_EQ(value.error().kind, ErrorKind::kInvalidPayload);
    EXPECT_EQ(value.error().field, c.field) << c.text;
    EXPECT_EQ(value.error().index, c.index) << c.text;
    if (*c.field != '\0') {
      EXPECT_NE(value.error().message.find(c.field), std::string::npos);
    }
  }
}

TEST(JsonNumbersTest, ShortensAHugeNumberInTheMessage) {
  std::string digits(5000, '9');
  auto value = parse_json_exactly("{\"n\":" + digits + "}", kDepth);
  ASSERT_FALSE(value.ok());
  EXPECT_LT(value.error().message.size(), 200u);
  EXPECT_NE(value.error().message.find("5000 digits"), std::string::npos);
}

TEST(JsonNumbersTest, RefusesWhatIsNotJsonOrTooDeep) {
  for (const char* text : {"", "{", "[1,]", "{} x", "nul", "[[[[1]]]]"}) {
    auto value = parse_json_exactly(text, 3);
    ASSERT_FALSE(value.ok()) << text;
    EXPECT_EQ(value.error().kind, ErrorKind::kInvalidPayload) << text;
  }
  EXPECT_TRUE(parse_json_exactly(" [[[1]]] ", 3).ok());
}

}  // namespace
}  // namespace agentsudo::server::api
