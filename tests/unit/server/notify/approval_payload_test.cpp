// What a webhook receives for an approval: the event type from its status,
// our JSON body as docs/WEBHOOKS.md shows it, and the Slack message.
#include "server/notify/approval_payload.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace agentsudo::server {
namespace {
namespace json = boost::json;

std::string text(const json::value& value) {
  return std::string(value.as_string());
}

Approval decided_approval() {
  Approval approval;
  approval.id = "0193a0c4-0000-7000-8000-000000000001";
  approval.project_id = "0193a0c4-0000-7000-8000-0000000000aa";
  approval.agent_name = "Support<Bot>";
  approval.scope = "write:orders";
  approval.function_name = "refund";
  approval.status = ApprovalStatus::kApproved;
  approval.requested_at = 1'764'644'645'000'000;
  approval.expires_at = approval.requested_at + 300'000'000;
  approval.decided_by = "a@example.com";
  approval.decided_at = approval.requested_at + 5'000'000;
  approval.decision_reason = "ok & go";
  return approval;
}

TEST(ApprovalPayloadTest, EventTypeFollowsTheStatus) {
  EXPECT_EQ(ApprovalPayload::event_type(ApprovalStatus::kPending), "approval.requested");
  EXPECT_EQ(ApprovalPayload::event_type(ApprovalStatus::kApproved), "approval.granted");
  EXPECT_EQ(ApprovalPayload::event_type(ApprovalStatus::kDenied), "approval.denied");
  EXPECT_EQ(ApprovalPayload::event_type(ApprovalStatus::kExpired), "approval.expired");
}

TEST(ApprovalPayloadTest, JsonBodyCarriesTheDeliveryTheApprovalAndTheLink) {
  Approval approval = decided_approval();
  auto body =
      json::parse(ApprovalPayload::approval_body(WebhookFormat::kJson, approval, "d-1",
                                                 approval.decided_at, "https://as.example.com"))
          .as_object();
  EXPECT_EQ(text(body.at("id")), "d-1");
  EXPECT_EQ(text(body.at("type")), "approval.granted");
  EXPECT_EQ(text(body.at("created_at")), "2025-12-02T03:04:10.000000Z");
  EXPECT_EQ(text(body.at("project_id")), approval.project_id);
  EXPECT_EQ(text(body.at("dashboard_url")), "https://as.example.com/approvals?id=" + approval.id);
  const auto& item = body.at("approval").as_object();
  EXPECT_EQ(text(item.at("id")), approval.id);
  EXPECT_EQ(text(item.at("status")), "approved");
  EXPECT_EQ(text(item.at("decided_by")), "a@example.com");
  EXPECT_EQ(text(item.at("reason")), "ok & go");
  EXPECT_TRUE(item.at("grant_until").is_null());
  EXPECT_TRUE(item.at("args_digest").is_null());
  EXPECT_EQ(item.size(), 15u);
}

TEST(ApprovalPayloadTest, SlackTextNamesTheCallAndLinksTheDashboardEscaped) {
  Approval approval = decided_approval();
  auto body =
      json::parse(ApprovalPayload::approval_body(WebhookFormat::kSlack, approval, "d-1",
                                                 approval.decided_at, "https://as.example.com"))
          .as_object();
  ASSERT_EQ(body.size(), 1u);
  std::string text(body.at("text").as_string());
  EXPECT_NE(text.find("Approval granted"), std::string::npos) << text;
  EXPECT_NE(text.find("Agent: Support&lt;Bot&gt;"), std::string::npos) << text;
  EXPECT_NE(text.find("Scope: write:orders"), std::string::npos) << text;
  EXPECT_NE(text.find("Function: refund"), std::string::npos) << text;
  EXPECT_NE(text.find("Status: approved"), std::string::npos) << text;
  EXPECT_NE(text.find("Decided by: a@example.com (ok &amp; go)"), std::string::npos) << text;
  EXPECT_NE(text.find("<https://as.example.com/approvals?id=" + approval.id + "|"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace agentsudo::server
