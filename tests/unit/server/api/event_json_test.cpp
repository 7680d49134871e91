// Events in and out as JSON: decode_event and decode_event_batch against the
// limits of docs/API.md, and the public JSON of a stored event.

#include "server/api/event_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "stored_event_sample.hpp"

namespace agentsudo::server::api {
namespace {

namespace json = boost::json;

Result<Event> decode(const std::string& text) {
  return decode_event(json::parse(text));
}

// A valid event's JSON text with `field` set to the JSON text `value`.
std::string with(const std::string& field, const std::string& value) {
  json::object event{{"agent_name", "a"}, {"action", "x"}, {"allowed", true}};
  event[field] = json::parse(value);
  return json::serialize(event);
}

std::string quoted(std::size_t bytes, char fill) {
  return "\"" + std::string(bytes, fill) + "\"";
}

std::string quoted_repeat(std::string_view unit, int times) {
  std::string text = "\"";
  for (int i = 0; i < times; ++i)
    text += unit;
  return text + "\"";
}

// Metadata nested `depth` objects deep ({} alone is depth 1).
std::string nested_objects(int depth) {
  std::string open, close;
  for (int i = 1; i < depth; ++i) {
    open += R"({"k": )";
    close += "}";
  }
  return with("metadata", open + "{}" + close);
}

// Metadata holding arrays nested so the whole is `depth` levels deep.
std::string nested_arrays(int depth) {
  auto inner = static_cast<std::size_t>(depth - 1);
  return with("metadata", R"({"k": )" + std::string(inner, '[') + std::string(inner, ']') + "}");
}

// Metadata whose compact serialization is exactly `bytes` long.
std::string metadata_of_size(std::size_t bytes) {
  const std::string frame = R"({"blob":""})";
  return with("metadata", R"({"blob": )" + quoted(bytes - frame.size(), 'm') + "}");
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
  EXPECT_FALSE(event->session_id);
}

TEST(DecodeEventTest, OptionalFieldsMayBeAbsentOrNull) {
  auto event = decode(R"({"agent_name": "a", "action": "x", "allowed": false, "scope": null,
      "function_name": null, "metadata": null, "timestamp": null, "unknown": [1, 2]})");
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_FALSE(event->scope);
  EXPECT_FALSE(event->function_name);
  EXPECT_EQ(event->metadata_json, "{}");
  EXPECT_FALSE(event->allowed);
}

TEST(DecodeEventTest, UnknownMembersOfAnyTypeAreIgnored) {
  auto event = decode(R"({"agent_name": "a", "action": "x", "allowed": true, "id": 5,
      "project_id": "other", "extra": {"deep": [[[]]]}, "received_at": "2020-01-01T00:00:00Z",
      "Agent_Name": 7})");
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event->agent_name, "a");
  EXPECT_FALSE(event->timestamp);
}

TEST(DecodeEventTest, KeepsTheClientsTimestamp) {
  auto event = decode(with("timestamp", R"("2026-01-15T10:30:00.123456Z")"));
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->timestamp, parse_rfc3339("2026-01-15T10:30:00.123456Z"));
  auto offset = decode(with("timestamp", R"("2026-01-15T12:30:00+02:00")"));
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(offset->timestamp, parse_rfc3339("2026-01-15T10:30:00Z"));
}

TEST(DecodeEventTest, MetadataIsKeptAsCompactJson) {
  auto event = decode(with("metadata", R"({ "b" : [1, 2.5, "x"], "a" : {"n": null} })"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(json::parse(event->metadata_json), json::parse(R"({"b":[1,2.5,"x"],"a":{"n":null}})"));
  EXPECT_EQ(event->metadata_json.find(' '), std::string::npos) << event->metadata_json;
}

// The session id analytics counts: a non-empty string of at most 128 bytes.
TEST(DecodeEventTest, SessionIdIsReadFromMetadata) {
  struct Case {
    std::string metadata;
    std::optional<std::string> session_id;
  };
  const Case cases[] = {
      {R"({"session_id": "s-1"})", "s-1"},
      {R"({"session_id": )" + quoted(128, 's') + "}", std::string(128, 's')},
      {R"({"session_id": )" + quoted(129, 's') + "}", std::nullopt},
      {R"({"session_id": ""})", std::nullopt},
      {R"({"session_id": 12})", std::nullopt},
      {R"({"session_id": null})", std::nullopt},
      {R"({"nested": {"session_id": "s"}})", std::nullopt},
      {"{}", std::nullopt},
  };
  for (const auto& c : cases) {
    auto event = decode(with("metadata", c.metadata));
    ASSERT_TRUE(event.ok()) << c.metadata << ": " << event.error().message;
    EXPECT_EQ(event->session_id, c.session_id) << c.metadata;
    // A session id that is not counted stays in the metadata all the same.
    EXPECT_EQ(json::parse(event->metadata_json), json::parse(c.metadata));
  }
}

struct DecodeCase {
  std::string name;
  std::string body;
  std::optional<std::string> refused_field;  // unset: the event must be accepted
};

void PrintTo(const DecodeCase& c, std::ostream* out) {
  *out << c.name;
}

class DecodeEventTable : public testing::TestWithParam<DecodeCase> {};

TEST_P(DecodeEventTable, AcceptsOrNamesTheField) {
  const DecodeCase& c = GetParam();
  auto event = decode(c.body);
  if (!c.refused_field) {
    EXPECT_TRUE(event.ok()) << event.error().message;
    return;
  }
  ASSERT_FALSE(event.ok()) << c.body.substr(0, 200);
  EXPECT_EQ(event.error().kind, ErrorKind::kInvalidPayload);
  EXPECT_EQ(event.error().field, *c.refused_field) << event.error().message;
  EXPECT_FALSE(event.error().index) << "a single event has no batch index";
  if (!c.refused_field->empty()) {
    EXPECT_NE(event.error().message.find(*c.refused_field), std::string::npos)
        << event.error().message;
  }
}

DecodeCase accepted(std::string name, std::string body) {
  return DecodeCase{std::move(name), std::move(body), std::nullopt};
}

DecodeCase refused(std::string name, std::string body, std::string field) {
  return DecodeCase{std::move(name), std::move(body), std::move(field)};
}

INSTANTIATE_TEST_SUITE_P(
    Table, DecodeEventTable,
    testing::Values(
        // The shape of the event itself.
        refused("Array", "[]", ""), refused("String", "\"text\"", ""), refused("Null", "null", ""),
        refused("Number", "5", ""),
        // agent_name: required, 1..200 bytes, no controls.
        refused("AgentNameMissing", R"({"action": "x", "allowed": true})", "agent_name"),
        refused("AgentNameNull", with("agent_name", "null"), "agent_name"),
        refused("AgentNameEmpty", with("agent_name", R"("")"), "agent_name"),
        refused("AgentNameNumber", with("agent_name", "5"), "agent_name"),
        refused("AgentNameObject", with("agent_name", "{}"), "agent_name"),
        accepted("AgentNameAtLimit", with("agent_name", quoted(200, 'a'))),
        refused("AgentNamePastLimit", with("agent_name", quoted(201, 'a')), "agent_name"),
        // The limit counts bytes: 100 two-byte characters fit, 101 do not.
        accepted("AgentNameMultibyteAtLimit", with("agent_name", quoted_repeat("\u00e9", 100))),
        refused("AgentNameMultibytePastLimit", with("agent_name", quoted_repeat("\u00e9", 101)),
                "agent_name"),
        refused("AgentNameNewline", with("agent_name", R"("a\nb")"), "agent_name"),
        refused("AgentNameTab", with("agent_name", R"("a\tb")"), "agent_name"),
        refused("AgentNameNul", with("agent_name", R"("a\u0000b")"), "agent_name"),
        refused("AgentNameDelete", with("agent_name", R"("a\u007fb")"), "agent_name"),
        refused("AgentNameC1Control", with("agent_name", R"("a\u0085b")"), "agent_name"),
        accepted("AgentNameUnicode", with("agent_name", R"("Bot \u00e9\u4e2d\ud83d\ude00")")),
        // action: required, 1..64 bytes of letters, digits and _ . : -
        refused("ActionMissing", R"({"agent_name": "a", "allowed": true})", "action"),
        refused("ActionEmpty", with("action", R"("")"), "action"),
        refused("ActionNumber", with("action", "3"), "action"),
        accepted("ActionAllCharacters", with("action", R"("Az09_.:-")")),
        accepted("ActionAtLimit", with("action", quoted(64, 'x'))),
        refused("ActionPastLimit", with("action", quoted(65, 'x')), "action"),
        refused("ActionSpace", with("action", R"("drop table")"), "action"),
        refused("ActionSlash", with("action", R"("a/b")"), "action"),
        refused("ActionNonAscii", with("action", R"("caf\u00e9")"), "action"),
        refused("ActionControl", with("action", R"("a\nb")"), "action"),
        // scope: optional string, up to 256 bytes.
        accepted("ScopeEmpty", with("scope", R"("")")),
        accepted("ScopeAtLimit", with("scope", quoted(256, 's'))),
        refused("ScopePastLimit", with("scope", quoted(257, 's')), "scope"),
        refused("ScopeNumber", with("scope", "7"), "scope"),
        refused("ScopeArray", with("scope", R"(["read:orders"])"), "scope"),
        refused("ScopeC1Control", with("scope", R"("read:\u009borders")"), "scope"),
        // allowed: required boolean.
        refused("AllowedMissing", R"({"agent_name": "a", "action": "x"})", "allowed"),
        refused("AllowedNull", with("allowed", "null"), "allowed"),
        refused("AllowedString", with("allowed", R"("true")"), "allowed"),
        refused("AllowedNumber", with("allowed", "1"), "allowed"),
        // function_name: optional string, up to 256 bytes.
        accepted("FunctionNameAtLimit", with("function_name", quoted(256, 'f'))),
        refused("FunctionNamePastLimit", with("function_name", quoted(257, 'f')), "function_name"),
        refused("FunctionNameArray", with("function_name", R"(["f"])"), "function_name"),
        refused("FunctionNameBool", with("function_name", "false"), "function_name"),
        refused("FunctionNameControl", with("function_name", R"("f\r")"), "function_name"),
        // metadata: optional object, 8 levels, 16 KiB as compact JSON.
        refused("MetadataArray", with("metadata", "[]"), "metadata"),
        refused("MetadataString", with("metadata", R"("x")"), "metadata"),
        refused("MetadataNumber", with("metadata", "1"), "metadata"),
        accepted("MetadataAtSizeLimit", metadata_of_size(16 * 1024)),
        refused("MetadataPastSizeLimit", metadata_of_size(16 * 1024 + 1), "metadata"),
        accepted("MetadataObjectsAtDepthLimit", nested_objects(8)),
        refused("MetadataObjectsPastDepthLimit", nested_objects(9), "metadata"),
        accepted("MetadataArraysAtDepthLimit", nested_arrays(8)),
        refused("MetadataArraysPastDepthLimit", nested_arrays(9), "metadata"),
        // timestamp: optional RFC 3339 string.
        refused("TimestampDateOnly", with("timestamp", R"("2026-01-15")"), "timestamp"),
        refused("TimestampNoZone", with("timestamp", R"("2026-01-15T10:30:00")"), "timestamp"),
        refused("TimestampEpochNumber", with("timestamp", "1768473000"), "timestamp"),
        refused("TimestampEpochString", with("timestamp", R"("1768473000")"), "timestamp"),
        refused("TimestampEmpty", with("timestamp", R"("")"), "timestamp"),
        refused("TimestampBeforeEpoch", with("timestamp", R"("1969-12-31T23:59:59Z")"),
                "timestamp"),
        refused("TimestampNoSuchDay", with("timestamp", R"("2026-02-30T10:30:00Z")"), "timestamp"),
        refused("TimestampObject", with("timestamp", "{}"), "timestamp"),
        accepted("TimestampLowercase", with("timestamp", R"("2026-01-15t10:30:00z")")),
        // event_id: optional canonical lower-case UUID.
        accepted("EventIdUuid", with("event_id", R"("0190f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f")")),
        refused("EventIdUpperCase", with("event_id", R"("0190F1C2-7A3B-7C4D-8E5F-6A7B8C9D0E1F")"),
                "event_id"),
        refused("EventIdNoDashes", with("event_id", R"("0190f1c27a3b7c4d8e5f6a7b8c9d0e1f")"),
                "event_id"),
        refused("EventIdNumber", with("event_id", "7"), "event_id"),
        refused("EventIdEmpty", with("event_id", R"("")"), "event_id"),
        // instance_id and sequence: both or neither; sequence 1..2^53.
        refused("InstanceWithoutSequence",
                with("instance_id", R"("0190f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f")"), "sequence"),
        refused("SequenceWithoutInstance", with("sequence", "1"), "instance_id"),
        refused("InstanceIdNotUuid", with("instance_id", R"("i-1")"), "instance_id")),
    [](const testing::TestParamInfo<DecodeCase>& row) { return row.param.name; });

std::string numbered(const std::string& sequence) {
  return R"({"agent_name": "a", "action": "x", "allowed": true,
      "instance_id": "0190f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f", "sequence": )" +
         sequence + "}";
}

TEST(DecodeEventTest, SequenceRunsFromOneToTwoToThe53) {
  for (std::string ok : {"1", "9007199254740992"}) {
    auto event = decode(numbered(ok));
    ASSERT_TRUE(event.ok()) << ok << ": " << event.error().message;
    EXPECT_EQ(event->sequence, std::stoll(ok));
    EXPECT_EQ(event->instance_id, "0190f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f");
  }
  for (std::string bad : {"0", "-1", "9007199254740993", "1.5", "\"1\"", "true"}) {
    auto event = decode(numbered(bad));
    ASSERT_FALSE(event.ok()) << bad;
    EXPECT_EQ(event.error().field, "sequence") << bad;
  }
}

TEST(DecodeBatchTest, DecodesEveryItemInOrder) {
  auto batch = decode_event_batch(json::parse(R"([
      {"agent_name": "first", "action": "x", "allowed": true},
      {"agent_name": "second", "action": "y", "allowed": false, "scope": "s"}])"),
                                  10);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_EQ((*batch)[0].agent_name, "first");
  EXPECT_EQ((*batch)[1].agent_name, "second");
  EXPECT_EQ((*batch)[1].scope, "s");
}

TEST(DecodeBatchTest, ReportsTheIndexAndFieldOfTheBadItem) {
  auto batch = decode_event_batch(json::parse(R"([
      {"agent_name": "a", "action": "x", "allowed": true},
      {"agent_name": "a", "action": "x", "allowed": true},
      {"agent_name": "a", "action": "x"},
      {"agent_name": "", "action": "x", "allowed": true}])"),
                                  1000);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.error().kind, ErrorKind::kInvalidPayload);
  EXPECT_EQ(batch.error().index, 2u);
  EXPECT_EQ(batch.error().field, "allowed");
  EXPECT_EQ(batch.error().message.rfind("event 2: ", 0), 0u) << batch.error().message;
}

TEST(DecodeBatchTest, AnItemThatIsNotAnObjectIsNamedByIndex) {
  auto batch = decode_event_batch(
      json::parse(R"([{"agent_name": "a", "action": "x", "allowed": true}, 7])"), 10);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.error().index, 1u);
  EXPECT_EQ(batch.error().field, "");
}

TEST(DecodeBatchTest, RefusesNonArraysAndBatchesPastTheLimit) {
  const json::value event = json::parse(R"({"agent_name": "a", "action": "x", "allowed": true})");
  for (const char* not_array : {"{}", "null", "\"[]\""}) {
    auto refused_batch = decode_event_batch(json::parse(not_array), 10);
    ASSERT_FALSE(refused_batch.ok()) << not_array;
    EXPECT_EQ(refused_batch.error().kind, ErrorKind::kInvalidPayload) << not_array;
    EXPECT_FALSE(refused_batch.error().index);
  }
  EXPECT_TRUE(decode_event_batch(json::array(), 10).ok());
  auto at_limit = decode_event_batch(json::array(10, event), 10);
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(at_limit->size(), 10u);
  auto past_limit = decode_event_batch(json::array(11, event), 10);
  ASSERT_FALSE(past_limit.ok());
  EXPECT_EQ(past_limit.error().kind, ErrorKind::kPayloadTooLarge);
}

// The count is checked before the items, so a huge batch of bad events costs
// no decoding and is reported for its size.
TEST(DecodeBatchTest, SizeIsCheckedBeforeTheItems) {
  auto batch = decode_event_batch(json::array(11, json::value("not an event")), 10);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.error().kind, ErrorKind::kPayloadTooLarge);
}

TEST(AppendJsonStringTest, EveryByteRoundTripsThroughAJsonParser) {
  std::string all_ascii;
  for (int c = 1; c < 0x80; ++c)
    all_ascii.push_back(static_cast<char>(c));
  const std::string texts[] = {"",
                               all_ascii,
                               std::string("nul\0inside", 10),
                               "quote\" backslash\\ slash/",
                               "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80",
                               "</script><script>"};
  for (const auto& text : texts) {
    std::string out;
    append_json_string(text, out);
    auto parsed = json::parse(out);
    ASSERT_TRUE(parsed.is_string()) << out;
    EXPECT_EQ(std::string(parsed.as_string()), text) << out;
  }
}

TEST(AppendJsonStringTest, ControlCharactersAreEscapedNotCopied) {
  std::string out;
  append_json_string("a\nb\x01", out);
  EXPECT_EQ(out.find('\n'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x01'), std::string::npos) << out;
}

TEST(AppendJsonStringTest, AppendsWithoutTouchingWhatIsThere) {
  std::string out = "[";
  append_json_string("x", out);
  EXPECT_EQ(out.substr(0, 1), "[");
  EXPECT_EQ(json::parse(out.substr(1)).as_string(), "x");
}

TEST(EventJsonTest, EveryMemberOfTheReferenceShape) {
  StoredEvent event = sample_stored_event();
  event.agent_name = "quote\" backslash\\ tab\t";
  std::string out;
  append_event_json(event, "proj-1", out);
  auto parsed = json::parse(out).as_object();
  EXPECT_EQ(parsed.size(), 11u) << out;
  EXPECT_EQ(parsed.at("id").as_string(), event.id);
  EXPECT_EQ(parsed.at("project_id").as_string(), "proj-1");
  EXPECT_EQ(parsed.at("agent_id").as_string(), event.agent_id);
  EXPECT_EQ(parsed.at("agent_name").as_string(), event.agent_name);
  EXPECT_EQ(parsed.at("action").as_string(), event.action);
  EXPECT_EQ(parsed.at("scope").as_string(), *event.scope);
  EXPECT_EQ(parsed.at("allowed").as_bool(), false);
  EXPECT_EQ(parsed.at("function_name").as_string(), *event.function_name);
  EXPECT_EQ(parsed.at("metadata"), json::parse(event.metadata_json));
  EXPECT_EQ(parse_rfc3339(parsed.at("timestamp").as_string()), event.timestamp);
  EXPECT_EQ(parse_rfc3339(parsed.at("received_at").as_string()), event.received_at);
  EXPECT_FALSE(parsed.contains("seq")) << "the store's position is not public";
}

TEST(EventJsonTest, AbsentOptionalsAreNull) {
  StoredEvent event = sample_stored_event();
  event.scope.reset();
  event.function_name.reset();
  event.metadata_json = "{}";
  std::string out;
  append_event_json(event, "p", out);
  auto parsed = json::parse(out).as_object();
  EXPECT_TRUE(parsed.at("scope").is_null());
  EXPECT_TRUE(parsed.at("function_name").is_null());
  EXPECT_TRUE(parsed.at("metadata").as_object().empty());
}

// What the ingest API accepted comes back out of the read API unchanged.
TEST(EventJsonTest, ADecodedEventComesBackAsItWasSent) {
  const std::string sent = R"({"agent_name": "a", "action": "x", "allowed": true,
      "scope": "write:*", "function_name": "f\u00e9", "metadata": {"a": {"b": [true]}}})";
  auto event = decode(sent);
  ASSERT_TRUE(event.ok()) << event.error().message;
  StoredEvent stored;
  stored.agent_name = event->agent_name;
  stored.action = event->action;
  stored.scope = event->scope;
  stored.allowed = event->allowed;
  stored.function_name = event->function_name;
  stored.metadata_json = event->metadata_json;
  std::string out;
  append_event_json(stored, "p", out);
  auto parsed = json::parse(out).as_object();
  auto original = json::parse(sent).as_object();
  for (const char* member :
       {"agent_name", "action", "scope", "allowed", "function_name", "metadata"}) {
    EXPECT_EQ(parsed.at(member), original.at(member)) << member;
  }
}

}  // namespace
}  // namespace agentsudo::server::api
