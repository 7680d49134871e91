// parse_json_body: the media type a JSON route accepts, and the bodies it
// refuses before any handler looks at their shape.

#include "server/api/request_body.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace agentsudo::server::api {
namespace {

struct BodyCase {
  std::string name;
  std::optional<std::string> content_type;  // unset: no Content-Type header at all
  std::string body;
  std::optional<ErrorKind> refused;  // unset: the body must parse
};

void PrintTo(const BodyCase& c, std::ostream* out) {
  *out << c.name;
}

http::Request request_with(const BodyCase& c) {
  http::Request request{http::Verb::post, "/api/events", 11};
  if (c.content_type)
    request.set(http::Field::content_type, *c.content_type);
  request.body() = c.body;
  return request;
}

std::string nested_arrays(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

class ParseJsonBody : public testing::TestWithParam<BodyCase> {};

TEST_P(ParseJsonBody, AcceptsOrRefusesWithTheRightKind) {
  const BodyCase& c = GetParam();
  auto parsed = parse_json_body(request_with(c));
  if (!c.refused) {
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
    return;
  }
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, *c.refused) << parsed.error().message;
  EXPECT_FALSE(parsed.error().message.empty());
}

constexpr auto kMediaType = ErrorKind::kUnsupportedMediaType;
constexpr auto kPayload = ErrorKind::kInvalidPayload;

INSTANTIATE_TEST_SUITE_P(
    Table, ParseJsonBody,
    testing::Values(
        BodyCase{"PlainJson", "application/json", R"({"a": 1})", std::nullopt},
        BodyCase{"CharsetParameter", "application/json; charset=utf-8", "{}", std::nullopt},
        BodyCase{"ParameterWithoutSpace", "application/json;charset=utf-8", "{}", std::nullopt},
        BodyCase{"SpaceBeforeSemicolon", "application/json ; charset=utf-8", "{}", std::nullopt},
        // RFC 9110 allows a tab wherever it allows a space around parameters.
        BodyCase{"TabBeforeSemicolon", "application/json\t; charset=utf-8", "{}", std::nullopt},
        BodyCase{"MediaTypeIsCaseInsensitive", "Application/JSON", "{}", std::nullopt},
        BodyCase{"ArrayBody", "application/json", "[]", std::nullopt},
        BodyCase{"ScalarBodyParsesShapeIsCheckedLater", "application/json", "5", std::nullopt},
        BodyCase{"SurroundingWhitespace", "application/json", " \r\n{}\n ", std::nullopt},
        BodyCase{"NestingAtTheCap", "application/json", nested_arrays(32), std::nullopt},
        BodyCase{"NoContentType", std::nullopt, "{}", kMediaType},
        BodyCase{"EmptyContentType", "", "{}", kMediaType},
        BodyCase{"TextPlain", "text/plain", "{}", kMediaType},
        BodyCase{"FormEncoded", "application/x-www-form-urlencoded", "a=1", kMediaType},
        BodyCase{"JsonPrefixOnly", "application/jsonp", "{}", kMediaType},
        BodyCase{"JsonSuffixType", "application/merge-patch+json", "{}", kMediaType},
        BodyCase{"MediaTypeCheckedBeforeBody", "text/plain", "", kMediaType},
        BodyCase{"EmptyBody", "application/json", "", kPayload},
        BodyCase{"UnterminatedObject", "application/json", "{", kPayload},
        BodyCase{"TrailingGarbage", "application/json", "{} x", kPayload},
        BodyCase{"TwoDocuments", "application/json", "{}{}", kPayload},
        BodyCase{"SingleQuotes", "application/json", "{'a': 1}", kPayload},
        BodyCase{"TrailingComma", "application/json", R"({"a": 1,})", kPayload},
        BodyCase{"InvalidUtf8", "application/json", "\"\xff\"", kPayload},
        BodyCase{"NestingPastTheCap", "application/json", nested_arrays(33), kPayload}),
    [](const testing::TestParamInfo<BodyCase>& row) { return row.param.name; });

TEST(ParseJsonBodyTest, ReturnsTheParsedDocument) {
  BodyCase c{"", "application/json", R"({"agent_name": "bot", "n": [1, 2]})", std::nullopt};
  auto parsed = parse_json_body(request_with(c));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_TRUE(parsed->is_object());
  EXPECT_EQ(parsed->as_object().at("agent_name").as_string(), "bot");
  EXPECT_EQ(parsed->as_object().at("n").as_array().size(), 2u);
}

http::Request encoded(std::string_view coding, std::string body) {
  http::Request request{http::Verb::post, "/api/events", 11};
  request.set(http::Field::content_type, "application/json");
  request.set(http::Field::content_encoding, coding);
  request.body() = std::move(body);
  return request;
}

TEST(ParseJsonBodyTest, RefusesAnyContentEncodingWhereNoneIsAccepted) {
  auto parsed = parse_json_body(encoded("gzip", "{}"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, kMediaType);
  EXPECT_EQ(parsed.error().field, "Content-Encoding");
}

TEST(ParseJsonBodyTest, IdentityIsNoEncoding) {
  EXPECT_TRUE(parse_json_body(encoded("identity", "{}")).ok());
  EXPECT_TRUE(parse_json_body(encoded(" Identity ", "{}"), 100).ok());
}

TEST(ParseJsonBodyTest, RefusesCodingsOtherThanGzipWhereGzipIsAccepted) {
  for (std::string_view coding : {"br", "deflate", "gzip, gzip", "x-gzip", "gzip;q=1"}) {
    auto parsed = parse_json_body(encoded(coding, "{}"), 100);
    ASSERT_FALSE(parsed.ok()) << coding;
    EXPECT_EQ(parsed.error().kind, kMediaType) << coding;
    EXPECT_EQ(parsed.error().field, "Content-Encoding") << coding;
  }
}

TEST(ParseJsonBodyTest, TwoGzipFieldsAreTwoCodings) {
  http::Request request = encoded("gzip", "{}");
  request.insert(http::Field::content_encoding, "gzip");
  auto parsed = parse_json_body(request, 100);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, kMediaType);
}

TEST(ParseJsonBodyTest, AGzipBodyThatIsNotGzipNamesTheHeader) {
  auto parsed = parse_json_body(encoded("GZIP", "{}"), 100);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, kPayload);
  EXPECT_EQ(parsed.error().field, "Content-Encoding");
}

}  // namespace
}  // namespace agentsudo::server::api
