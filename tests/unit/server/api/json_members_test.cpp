// JsonMembers: how a management request's JSON object is read, and the
// member each refusal names.

#include "server/api/json_members.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

namespace agentsudo::server::api {
namespace {

namespace json = boost::json;

void expect_names(const Error& error, std::string_view member) {
  EXPECT_EQ(error.kind, ErrorKind::kInvalidPayload) << error.message;
  EXPECT_EQ(error.field, member) << error.message;
  EXPECT_NE(error.message.find(member), std::string::npos) << error.message;
}

TEST(JsonMembersTest, OnlyAnObjectHasMembers) {
  for (const char* body : {"[]", "null", "\"name\"", "1", "true"}) {
    auto members = JsonMembers::of(json::parse(body), {"name"});
    ASSERT_FALSE(members.ok()) << body;
    EXPECT_EQ(members.error().kind, ErrorKind::kInvalidPayload) << body;
  }
}

TEST(JsonMembersTest, AllowedMembersMayBeAbsent) {
  const json::value body = json::parse("{}");
  auto members = JsonMembers::of(body, {"name", "tier"});
  ASSERT_TRUE(members.ok()) << members.error().message;
  EXPECT_FALSE(members->has("name"));
  EXPECT_EQ(members->find("name"), nullptr);
}

TEST(JsonMembersTest, AnUnknownMemberIsRefusedByName) {
  const json::value body = json::parse(R"({"name": "p", "owner": "x"})");
  auto members = JsonMembers::of(body, {"name", "tier"});
  ASSERT_FALSE(members.ok());
  expect_names(members.error(), "owner");
}

// Member names are case-sensitive: "Name" is not "name".
TEST(JsonMembersTest, MemberNamesAreCaseSensitive) {
  const json::value body = json::parse(R"({"Name": "p"})");
  auto members = JsonMembers::of(body, {"name"});
  ASSERT_FALSE(members.ok());
  expect_names(members.error(), "Name");
}

// The name is echoed back, so a megabyte of key must not come back whole.
TEST(JsonMembersTest, AHugeUnknownNameIsEchoedTruncated) {
  const std::string key(10'000, 'k');
  json::object object;
  object[key] = 1;
  const json::value body = object;
  auto members = JsonMembers::of(body, {"name"});
  ASSERT_FALSE(members.ok());
  EXPECT_EQ(members.error().field, std::string(64, 'k'));
  EXPECT_LT(members.error().message.size(), 200u) << members.error().message;
}

TEST(JsonMembersTest, RequiredString) {
  const json::value body =
      json::parse(R"({"name": "Support", "empty": "", "number": 5, "nothing": null})");
  auto members = JsonMembers::of(body, {"name", "empty", "number", "nothing", "absent"});
  ASSERT_TRUE(members.ok()) << members.error().message;
  EXPECT_EQ(*members->required_string("name"), "Support");
  EXPECT_EQ(*members->required_string("empty"), "");
  for (const char* name : {"number", "nothing", "absent"}) {
    auto value = members->required_string(name);
    ASSERT_FALSE(value.ok()) << name;
    expect_names(value.error(), name);
  }
}

TEST(JsonMembersTest, OptionalStringIsUnsetWhenAbsentOrNull) {
  const json::value body = json::parse(R"({"name": "x", "nothing": null, "list": ["x"]})");
  auto members = JsonMembers::of(body, {"name", "nothing", "list", "absent"});
  ASSERT_TRUE(members.ok()) << members.error().message;
  EXPECT_EQ(*members->optional_string("name"), "x");
  EXPECT_FALSE(*members->optional_string("nothing"));
  EXPECT_FALSE(*members->optional_string("absent"));
  auto list = members->optional_string("list");
  ASSERT_FALSE(list.ok());
  expect_names(list.error(), "list");
}

TEST(JsonMembersTest, OptionalBoolTakesOnlyTrueOrFalse) {
  const json::value body =
      json::parse(R"({"yes": true, "no": false, "nothing": null, "one": 1, "text": "true"})");
  auto members = JsonMembers::of(body, {"yes", "no", "nothing", "one", "text", "absent"});
  ASSERT_TRUE(members.ok()) << members.error().message;
  EXPECT_EQ(*members->optional_bool("yes"), true);
  EXPECT_EQ(*members->optional_bool("no"), false);
  EXPECT_FALSE(*members->optional_bool("nothing"));
  EXPECT_FALSE(*members->optional_bool("absent"));
  for (const char* name : {"one", "text"}) {
    auto value = members->optional_bool(name);
    ASSERT_FALSE(value.ok()) << name;
    expect_names(value.error(), name);
  }
}

}  // namespace
}  // namespace agentsudo::server::api
