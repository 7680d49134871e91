#include "server/api/json_numbers.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server::api {
namespace {

TEST(JsonNumbersTest, KeepsEveryNumberThatComesBackAsWritten) {
  for (const char* text : {"{}", "[]", "0", "-1", "18446744073709551615", "-9223372036854775808",
                           "-0.0", "0.5", "1e400", "1E2", "{\"a\":[1,2,{\"b\":-0.0e1}]}", "\"-0\"",
                           "\"123456789012345678901234567890\""}) {
    EXPECT_TRUE(check_numbers_kept_exactly(text).ok()) << text;
  }
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
    Status status = check_numbers_kept_exactly(c.text);
    ASSERT_FALSE(status.ok()) << c.text;
    EXPECT_EQ(status.error().kind, ErrorKind::kInvalidPayload);
    EXPECT_EQ(status.error().field, c.field) << c.text;
    EXPECT_EQ(status.error().index, c.index) << c.text;
    if (*c.field != '\0') {
      EXPECT_NE(status.error().message.find(c.field), std::string::npos);
    }
  }
}

TEST(JsonNumbersTest, ShortensAHugeNumberInTheMessage) {
  std::string digits(5000, '9');
  Status status = check_numbers_kept_exactly("{\"n\":" + digits + "}");
  ASSERT_FALSE(status.ok());
  EXPECT_LT(status.error().message.size(), 200u);
  EXPECT_NE(status.error().message.find("5000 digits"), std::string::npos);
}

}  // namespace
}  // namespace agentsudo::server::api
