#include <gtest/gtest.h>

#include <agentsudo/agentsudo.hpp>
#include <memory>

#include "event_capture.hpp"

namespace agentsudo {
namespace {

using testing::EventCapture;

double issue_refund(int order_id, double amount) {
  return order_id + amount;
}

Agent support_bot() {
  return Agent("SupportBot", {"read:orders", "write:refunds"});
}

TEST(Sudo, KeepsTheSignatureAndReturnType) {
  auto refund = sudo("write:refunds", issue_refund, {.function_name = "issue_refund"});
  static_assert(std::is_same_v<decltype(refund(1, 2.5)), double>);
  std::function<double(int, double)> as_function = refund;
  auto session = support_bot().start_session();
  EXPECT_DOUBLE_EQ(refund(1, 2.5), 3.5);
  EXPECT_DOUBLE_EQ(as_function(2, 0.5), 2.5);
}

TEST(Sudo, ForwardsReferencesAndMoveOnlyArguments) {
  auto take = sudo("read:orders", [](std::unique_ptr<int> value, int& out) { out = *value; });
  auto session = support_bot().start_session();
  int out = 0;
  take(std::make_unique<int>(7), out);
  EXPECT_EQ(out, 7);
}

TEST(Sudo, WrapsMutableCallables) {
  auto counter = sudo("read:orders", [count = 0]() mutable { return ++count; });
  auto session = support_bot().start_session();
  EXPECT_EQ(counter(), 1);
  EXPECT_EQ(counter(), 2);
}

TEST(Sudo, AllowedCallEmitsPermissionCheck) {
  EventCapture capture;
  auto refund = sudo("write:refunds", issue_refund, {.function_name = "issue_refund"});
  auto session = support_bot().start_session();
  refund(1, 1.0);
  auto event = capture.single();
  EXPECT_EQ(event["action"], "permission_check");
  EXPECT_EQ(event["allowed"], true);
  EXPECT_EQ(event["agent_name"], "SupportBot");
  EXPECT_EQ(event["scope"], "write:refunds");
  EXPECT_EQ(event["function_name"], "issue_refund");
  EXPECT_EQ(event["metadata"].as_object()["role"], "worker");
  EXPECT_EQ(event["metadata"].as_object()["session_id"].as_string(), session.id());
}

TEST(Sudo, DenialRaisesByDefaultAndSkipsTheCall) {
  EventCapture capture;
  bool ran = false;
  auto drop = sudo("delete:orders", [&] { ran = true; });
  auto session = support_bot().start_session();
  try {
    drop();
    FAIL() << "expected PermissionDenied";
  } catch (const PermissionDenied& denied) {
    std::string message = denied.what();
    EXPECT_NE(message.find("SupportBot"), std::string::npos) << message;
    EXPECT_NE(message.find("delete:orders"), std::string::npos) << message;
    EXPECT_NE(message.find("read:orders, write:refunds"), std::string::npos) << message;
    EXPECT_EQ(denied.agent_name(), "SupportBot");
    EXPECT_EQ(denied.scope(), "delete:orders");
    EXPECT_EQ(denied.reason(), DenialReason::kScopeNotHeld);
  }
  EXPECT_FALSE(ran);
  auto event = capture.single();
  EXPECT_EQ(event["action"], "permission_denied");
  EXPECT_EQ(event["allowed"], false);
  EXPECT_EQ(event["metadata"].as_object()["reason"], "scope_not_held");
}

TEST(Sudo, AuditModeRecordsAndRuns) {
  EventCapture capture;
  bool ran = false;
  auto drop = sudo("delete:orders", [&] { ran = true; }, {.on_denial = OnDenial::kLog});
  auto session = support_bot().start_session();
  EXPECT_NO_THROW(drop());
  EXPECT_TRUE(ran);
  auto event = capture.single();
  EXPECT_EQ(event["action"], "audit_violation");
  EXPECT_EQ(event["allowed"], false);
}

TEST(Sudo, CallbackApprovalRunsTheCall) {
  EventCapture capture;
  std::string asked_scope, asked_agent, asked_function;
  auto approve = [&](const Agent& agent, std::string_view scope, const CallContext& call) {
    asked_agent = agent.name();
    asked_scope = scope;
    asked_function = call.function_name;
    return true;
  };
  auto drop = sudo("delete:orders", [] { return 5; },
                   {.function_name = "drop", .on_denial = OnDenial::kCallback, .approve = approve});
  auto session = support_bot().start_session();
  EXPECT_EQ(drop(), 5);
  EXPECT_EQ(asked_agent, "SupportBot");
  EXPECT_EQ(asked_scope, "delete:orders");
  EXPECT_EQ(asked_function, "drop");
  auto event = capture.single();
  EXPECT_EQ(event["action"], "callback_approved");
  EXPECT_EQ(event["allowed"], true);
}

TEST(Sudo, CallbackRejectionRaises) {
  EventCapture capture;
  auto drop =
      sudo("delete:orders", [] {},
           {.on_denial = OnDenial::kCallback,
            .approve = [](const Agent&, std::string_view, const CallContext&) { return false; }});
  auto session = support_bot().start_session();
  try {
    drop();
    FAIL() << "expected PermissionDenied";
  } catch (const PermissionDenied& denied) {
    EXPECT_EQ(denied.reason(), DenialReason::kRejectedByCallback);
  }
  auto event = capture.single();
  EXPECT_EQ(event["action"], "callback_denied");
  EXPECT_EQ(event["allowed"], false);
}

TEST(Sudo, CallbackIsNotAskedForHeldScopes) {
  int asked = 0;
  auto read = sudo("read:orders", [] {},
                   {.on_denial = OnDenial::kCallback,
                    .approve = [&](const Agent&, std::string_view, const CallContext&) {
                      ++asked;
                      return false;
                    }});
  auto session = support_bot().start_session();
  read();
  EXPECT_EQ(asked, 0);
}

TEST(Sudo, CallbackModeNeedsACallback) {
  EXPECT_THROW(sudo("x", [] {}, {.on_denial = OnDenial::kCallback}), ConfigurationError);
}

TEST(Sudo, OutsideASessionDeniesAndSaysHowToStartOne) {
  EventCapture capture;
  auto refund = sudo("write:refunds", issue_refund, {.on_denial = OnDenial::kLog});
  try {
    refund(1, 1.0);
    FAIL() << "expected PermissionDenied";
  } catch (const PermissionDenied& denied) {
    EXPECT_NE(std::string(denied.what()).find("start_session()"), std::string::npos);
    EXPECT_EQ(denied.reason(), DenialReason::kNoSession);
  }
  auto event = capture.single();
  EXPECT_EQ(event["action"], "permission_denied");
  EXPECT_EQ(event["agent_name"], "(no session)");
  EXPECT_EQ(event["metadata"].as_object()["reason"], "no_session");
}

int refund_with_macro(int amount) {
  AGENTSUDO_REQUIRE("write:refunds");
  return amount;
}

int delete_with_macro() {
  AGENTSUDO_REQUIRE("delete:orders");
  return 1;
}

int audited_delete() {
  AGENTSUDO_REQUIRE_WITH("delete:orders", GuardOptions{.on_denial = OnDenial::kLog});
  return 2;
}

TEST(RequireMacro, GuardsTheFunctionAndNamesIt) {
  EventCapture capture;
  auto session = support_bot().start_session();
  EXPECT_EQ(refund_with_macro(3), 3);
  EXPECT_THROW(delete_with_macro(), PermissionDenied);
  EXPECT_EQ(audited_delete(), 2);
  auto events = capture.events();
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0]["function_name"], "refund_with_macro");
  EXPECT_EQ(events[1]["function_name"], "delete_with_macro");
  EXPECT_EQ(events[2]["function_name"], "audited_delete");
  EXPECT_EQ(events[2]["action"], "audit_violation");
}

TEST(Check, ReturnsTheDecisionWithoutThrowing) {
  EventCapture capture;
  EXPECT_EQ(check("read:orders").reason, DenialReason::kNoSession);
  auto session = support_bot().start_session();
  EXPECT_TRUE(check("read:orders"));
  Decision denied = check("delete:orders");
  EXPECT_FALSE(denied);
  EXPECT_EQ(denied.reason, DenialReason::kScopeNotHeld);
  auto events = capture.events();
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[1]["action"], "permission_check");
  EXPECT_EQ(events[1]["scope"], "read:orders");
  EXPECT_FALSE(events[1].contains("function_name"));
  EXPECT_EQ(events[2]["action"], "permission_denied");
}

TEST(JsonLog, WritesOneLinePerDecisionToAStream) {
  std::ostringstream out;
  enable_json_log(out);
  auto session = support_bot().start_session();
  check("read:orders");
  check("read:customers");
  disable_json_log();
  check("read:orders");
  std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_NE(text.find(R"("action":"permission_check")"), std::string::npos);
}

}  // namespace
}  // namespace agentsudo
