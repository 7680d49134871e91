#include "sdk/event_json.hpp"

#include <gtest/gtest.h>

#include <agentsudo/agent.hpp>
#include <boost/json/parse.hpp>

#include "core/timestamp.hpp"
#include "sdk/text_field.hpp"

namespace agentsudo {
namespace {

boost::json::object to_json(const EventRecord& event) {
  return boost::json::parse(to_json_text(event)).as_object();
}

detail::SessionPtr session_of(const Agent& agent) {
  return std::make_shared<const detail::SessionState>(detail::SessionState{
      .agent = agent, .id = "0123456789abcdef", .expires_at = std::chrono::steady_clock::now()});
}

TEST(EventJson, HasTheFieldsOfTheOfficialSdk) {
  EventRecord event;
  event.timestamp = *parse_rfc3339("2026-01-15T10:30:00.123456Z");
  event.action = EventAction::kPermissionCheck;
  event.allowed = true;
  event.session = session_of(Agent("SupportBot", {}));
  event.site = std::make_shared<const detail::GuardSite>(
      detail::GuardSite{"write:refunds", "issue_refund", OnDenial::kRaise, nullptr});
  auto json = to_json(event);
  EXPECT_EQ(json["timestamp"], "2026-01-15T10:30:00.123456Z");
  EXPECT_EQ(json["agent_name"], "SupportBot");
  EXPECT_EQ(json["action"], "permission_check");
  EXPECT_EQ(json["scope"], "write:refunds");
  EXPECT_EQ(json["allowed"], true);
  EXPECT_EQ(json["function_name"], "issue_refund");
  EXPECT_EQ(json["metadata"].as_object()["session_id"], "0123456789abcdef");
  EXPECT_EQ(json.size(), 7U);
}

TEST(EventJson, LeavesOutNullFields) {
  EventRecord event;
  event.action = EventAction::kGuardrailViolation;
  event.guardrail = std::make_unique<const GuardrailDetail>(
      GuardrailDetail{"blocked_keyword", "contains 'password'", "the password"});
  auto json = to_json(event);
  EXPECT_FALSE(json.contains("scope"));
  EXPECT_FALSE(json.contains("function_name"));
  EXPECT_EQ(json["agent_name"], "(no session)");
  EXPECT_EQ(json["metadata"].as_object()["rule"], "blocked_keyword");
}

TEST(EventJson, BoundsAndCleansStrings) {
  EventRecord event;
  event.check_scope = std::string(300, 's') + "\n";
  auto json = to_json(event);
  EXPECT_EQ(json["scope"].as_string().size(), 256U);
}

TEST(EventJson, EscapesQuotesAndBackslashesAndReplacesControls) {
  EventRecord event;
  event.check_scope = "say \"hi\" \\ \x01";
  EXPECT_EQ(to_json(event)["scope"], "say \"hi\" \\ \xef\xbf\xbd");
}

// The batch writer reuses what consecutive events share; every event must
// still read exactly as append_json() writes it alone.
TEST(EventJson, BatchWriterMatchesEventByEventJson) {
  auto session = session_of(Agent("SupportBot", {}));
  auto site = std::make_shared<const detail::GuardSite>(
      detail::GuardSite{"write:refunds", "issue_refund", OnDenial::kLog, nullptr});
  std::vector<EventRecord> events(6);
  for (std::size_t i = 0; i < events.size(); ++i) {
    events[i].timestamp = *parse_rfc3339("2026-01-15T10:30:00Z") + static_cast<UnixMicros>(i);
    events[i].session = session;
    events[i].site = i == 3 ? nullptr : site;
    events[i].check_scope = i == 3 ? "read:x" : "";
    events[i].action = i == 4 ? EventAction::kAuditViolation : EventAction::kPermissionCheck;
    events[i].allowed = i != 4;
    events[i].reason = i == 4 ? DenialReason::kScopeNotHeld : DenialReason::kNone;
  }
  events[5].guardrail = std::make_unique<const GuardrailDetail>(
      GuardrailDetail{"blocked_keyword", "contains 'password'", "the password"});
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < events.size(); ++i)
    ids.push_back("0190c2d4-5e6f-7a8b-9c0d-" + std::to_string(100000000000 + i));
  auto identity = [&](std::size_t i) {
    return EventIdentity{.event_id = ids[i],
                         .instance_id = "0190c2d4-0000-7000-8000-000000000001",
                         .sequence = 41 + i};
  };
  EventBatchWriter writer;
  std::string batch;
  for (std::size_t i = 0; i < events.size(); ++i)
    writer.append(batch, events[i], identity(i));
  std::string expected;
  for (std::size_t i = 0; i < events.size(); ++i) {
    EventIdentity id = identity(i);
    append_json(expected, events[i], &id);
  }
  EXPECT_EQ(batch, expected);
}

TEST(EventJson, IdentityMembersComeFirst) {
  EventRecord event;
  event.check_scope = "read:x";
  EventIdentity identity{.event_id = "0190c2d4-5e6f-7a8b-9c0d-0123456789ab",
                         .instance_id = "0190c2d4-0000-7000-8000-000000000001",
                         .sequence = 9007199254740992};
  std::string text;
  append_json(text, event, &identity);
  EXPECT_EQ(text.rfind(R"({"event_id":"0190c2d4-5e6f-7a8b-9c0d-0123456789ab",)"
                       R"("instance_id":"0190c2d4-0000-7000-8000-000000000001",)"
                       R"("sequence":9007199254740992,"timestamp":")",
                       0),
            0U);
  boost::json::object parsed = boost::json::parse(text).as_object();
  EXPECT_EQ(parsed["sequence"], 9007199254740992);
  EXPECT_EQ(parsed["scope"], "read:x");
  // Without an identity (the JSON log), none of the three.
  EXPECT_EQ(to_json(event).count("event_id"), 0U);
}

TEST(EventJson, TimestampHasSixFractionDigitsAndZ) {
  EventRecord event;
  event.timestamp = *parse_rfc3339("2026-03-09T04:05:06.000007Z");
  EXPECT_EQ(to_json(event)["timestamp"], "2026-03-09T04:05:06.000007Z");
}

TEST(TextField, ReplacesInvalidBytesAndCutsAtCharacterBoundaries) {
  EXPECT_EQ(to_field_text("a\nb", 10),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(to_field_text("a\xff", 10), "a\xef\xbf\xbd");
  EXPECT_EQ(to_field_text("\xc3\xa9\xc3\xa9", 3), "\xc3\xa9");
  EXPECT_TRUE(is_clean_utf8("caf\xc3\xa9"));
  EXPECT_FALSE(is_clean_utf8("\xed\xa0\x80"));  // A UTF-16 surrogate.
  EXPECT_FALSE(is_clean_utf8("\xc0\xaf"));      // Overlong.
  EXPECT_FALSE(is_clean_utf8("tab\there"));
}

}  // namespace
}  // namespace agentsudo
