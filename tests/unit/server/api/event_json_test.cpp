#include "server/api/event_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace agentsudo::server::api {
namespace {

namespace json = boost::json;

Result<Event> decode(const std::string& text) {
  return decode_event(json::parse(text));
}

TEST(DecodeEventTest, AcceptsTheReferenceExample) {
  auto event = decode(R"({"agent_name": "SupportBot", "action": "permission_check",
      "scope": "read:orders", "allowed": true, "function_name": "get_order", "metadata": {}})");
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event->agent_name, "SupportBot");
  EXPECT_EQ(event->action, "permission_check");
  EXPECT_EQ(event->scope, "read:orders");
  EXPECT_TRUE(event->allowed);
  EXPECT_EQ(event->function_name, "get_order");
  EXPECT_EQ(event->metadata_json, "{}");
  EXPECT_FALSE(event->timestamp);
}

TEST(DecodeEventTest, OptionalFieldsMayBeAbsentOrNull) {
  auto event = decode(R"({"agent_name": "a", "action": "x", "allowed": false, "scope": null,
      "function_name": null, "metadata": null, "timestamp": null, "unknown": [1, 2]})");
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_FALSE(event->scope);
  EXPECT_FALSE(event->function_name);
  EXPECT_EQ(event->metadata_json, "{}");
}

TEST(DecodeEventTest, KeepsTheClientsTimestamp) {
  auto event = decode(R"({"agent_name": "a", "action": "x", "allowed": true,
      "timestamp": "2026-01-15T10:30:00.123456Z"})");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->timestamp, parse_rfc3339("2026-01-15T10:30:00.123456Z"));
}

struct RejectCase {
  std::string body;
  std::string field;
};

class DecodeEventRejects : public testing::TestWithParam<RejectCase> {};

TEST_P(DecodeEventRejects, NamesTheField) {
  auto event = decode(GetParam().body);
  ASSERT_FALSE(event.ok()) << GetParam().body;
  EXPECT_EQ(event.error().kind, ErrorKind::kInvalidPayload);
  EXPECT_EQ(event.error().field, GetParam().field);
  if (!GetParam().field.empty()) {
    EXPECT_NE(event.error().message.find(GetParam().field), std::string::npos)
        << event.error().message;
  }
}

std::string with(const std::string& member) {
  return R"({"agent_name": "a", "action": "x", "allowed": true, )" + member + "}";
}

std::string nested(int depth) {
  std::string open, close;
  for (int i = 1; i < depth; ++i) {
    open += R"({"k": )";
    close += "}";
  }
  return "{\"metadata\": " + open + "{}" + close +
         ", \"agent_name\": \"a\", \"action\": \"x\", \"allowed\": true}";
}

INSTANTIATE_TEST_SUITE_P(
    Table, DecodeEventRejects,
    testing::Values(
        RejectCase{"[]", ""}, RejectCase{"\"text\"", ""},
        RejectCase{R"({"action": "x", "allowed": true})", "agent_name"},
        RejectCase{R"({"agent_name": "", "action": "x", "allowed": true})", "agent_name"},
        RejectCase{R"({"agent_name": 5, "action": "x", "allowed": true})", "agent_name"},
        RejectCase{
            R"({"agent_name": ")" + std::string(201, 'a') + R"(", "action": "x", "allowed": true})",
            "agent_name"},
        RejectCase{R"({"agent_name": "a\nb", "action": "x", "allowed": true})", "agent_name"},
        RejectCase{"{\"agent_name\": \"a\\u0085b\", \"action\": \"x\", \"allowed\": true}",
                   "agent_name"},
        RejectCase{with("\"scope\": \"read:\\u009borders\""), "scope"},
        RejectCase{R"({"agent_name": "a", "allowed": true})", "action"},
        RejectCase{R"({"agent_name": "a", "action": "drop table", "allowed": true})", "action"},
        RejectCase{
            R"({"agent_name": "a", "action": ")" + std::string(65, 'x') + R"(", "allowed": true})",
            "action"},
        RejectCase{R"({"agent_name": "a", "action": "x"})", "allowed"},
        RejectCase{R"({"agent_name": "a", "action": "x", "allowed": "true"})", "allowed"},
        RejectCase{R"({"agent_name": "a", "action": "x", "allowed": 1})", "allowed"},
        RejectCase{with(R"("scope": 7)"), "scope"},
        RejectCase{with(R"("scope": ")" + std::string(257, 's') + "\""), "scope"},
        RejectCase{with(R"("function_name": ["f"])"), "function_name"},
        RejectCase{with(R"("metadata": [])"), "metadata"},
        RejectCase{with(R"("metadata": "x")"), "metadata"},
        RejectCase{with(R"("metadata": {"blob": ")" + std::string(16 * 1024, 'm') + "\"}"),
                   "metadata"},
        RejectCase{nested(9), "metadata"},
        RejectCase{with(R"("timestamp": "2026-01-15")"), "timestamp"},
        RejectCase{with(R"("timestamp": 1768473000)"), "timestamp"}));

TEST(DecodeEventTest, MetadataAtTheDepthLimitIsAccepted) {
  auto event = decode(nested(8));
  EXPECT_TRUE(event.ok()) << event.error().message;
}

TEST(DecodeBatchTest, ReportsTheIndexOfTheBadItem) {
  auto batch = decode_event_batch(json::parse(R"([
      {"agent_name": "a", "action": "x", "allowed": true},
      {"agent_name": "a", "action": "x", "allowed": true},
      {"agent_name": "a", "action": "x"}])"),
                                  1000);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.error().index, 2u);
  EXPECT_EQ(batch.error().field, "allowed");
}

TEST(DecodeBatchTest, RefusesObjectsAndOversizedBatches) {
  EXPECT_EQ(decode_event_batch(json::parse("{}"), 10).error().kind, ErrorKind::kInvalidPayload);
  json::array many(11, json::parse(R"({"agent_name": "a", "action": "x", "allowed": true})"));
  EXPECT_EQ(decode_event_batch(many, 10).error().kind, ErrorKind::kPayloadTooLarge);
  EXPECT_TRUE(decode_event_batch(json::array(), 10).ok());
}

TEST(EventJsonTest, EscapesStringsAndCopiesMetadata) {
  StoredEvent event;
  event.id = "e";
  event.agent_id = "g";
  event.agent_name = "quote\" backslash\\ tab\t";
  event.action = "permission_check";
  event.allowed = true;
  event.metadata_json = R"({"k":[1,2]})";
  std::string out;
  append_event_json(event, "p", out);
  auto parsed = json::parse(out).as_object();
  EXPECT_EQ(parsed["agent_name"].as_string(), "quote\" backslash\\ tab\t");
  EXPECT_TRUE(parsed["scope"].is_null());
  EXPECT_EQ(json::serialize(parsed["metadata"]), R"({"k":[1,2]})");
  EXPECT_EQ(parsed["timestamp"].as_string(), "1970-01-01T00:00:00.000000Z");
}

}  // namespace
}  // namespace agentsudo::server::api
