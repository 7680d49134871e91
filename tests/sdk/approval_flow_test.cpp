// Approval mode against a scripted server: what the SDK sends (the digest and
// the preview, never the arguments), how it reads each answer, and what it
// throws and records for every failure. The real server's side is in
// approval_server_integration_test.cpp.
#include <gtest/gtest.h>

#include <agentsudo/agentsudo.hpp>
#include <atomic>
#include <boost/json.hpp>
#include <mutex>
#include <string>

#include "event_capture.hpp"
#include "loopback_http_server.hpp"

namespace agentsudo {
namespace {

using namespace std::chrono_literals;
using testing::EventCapture;
using testing::LoopbackHttpServer;

// Answers /v1/check with a new request ap_1 (or, with `allow_at_once`, an
// allowed call), GET /v1/approvals/ap_1 with `status`, and a redemption with
// an allowed call.
class ScriptedApprovals {
 public:
  explicit ScriptedApprovals(std::string status) : status_(std::move(status)) {}

  LoopbackHttpServer::Response answer(const LoopbackHttpServer::Request& request) {
    if (request.method == "GET" && request.target.starts_with("/v1/approvals/ap_1?wait=")) {
      return {200, R"({"id":"ap_1","status":")" + status_ +
                       R"(","agent_name":"SupportBot","scope":"write:refunds",)"
                       R"("expires_at":"2026-12-02T04:00:00Z","decided_by":"ops@example.com",)"
                       R"("reason":"too large"})"};
    }
    if (request.method != "POST" || request.target != "/v1/check")
      return {404, R"({"error":"not_found"})"};
    boost::json::object body = boost::json::parse(request.body).as_object();
    if (body.contains("approval") || allow_at_once) {
      return {200, R"({"allowed":true,"action":"permission_check","event_id":"e2",)"
                   R"("policy_version":3,"matched":"approval","approval_id":"ap_1"})"};
    }
    if (deny_without_request) {
      return {200, R"({"allowed":false,"action":"permission_denied","event_id":"e1",)"
                   R"("policy_version":3,"reason":"no approvals here"})"};
    }
    return {200, R"({"allowed":false,"action":"approval_requested","event_id":"e1",)"
                 R"("policy_version":3,"reason":"lacks write:refunds","approval":)"
                 R"({"id":"ap_1","status":"pending","expires_at":"2026-12-02T04:00:00Z",)"
                 R"("nonce":"n0nce"}})"};
  }

  bool allow_at_once = false;
  bool deny_without_request = false;

 private:
  std::string status_;
};

std::atomic<int> refunds_issued{0};

std::string issue_refund(const std::string& order, double amount) {
  refunds_issued.fetch_add(1);
  return order + ":" + std::to_string(amount);
}

Agent support_bot() {
  return Agent("SupportBot", {"read:orders"});
}

ApprovalOptions approval_at(const std::string& url) {
  return ApprovalOptions{.timeout = 10s,
                         .request_ttl = 120s,
                         .api_key = "as_test",
                         .endpoint = url,
                         .retry_base_delay = 10ms,
                         .retry_max_delay = 50ms};
}

boost::json::object body_of(const LoopbackHttpServer::Request& request) {
  return boost::json::parse(request.body).as_object();
}

class ApprovalFlowTest : public ::testing::Test {
 protected:
  void SetUp() override { refunds_issued = 0; }
};

TEST_F(ApprovalFlowTest, ApprovedCallRunsOnceAndTheServerSeesOnlyTheDigestAndPreview) {
  ScriptedApprovals script("approved");
  LoopbackHttpServer server([&](const auto& request) { return script.answer(request); });
  std::string announced;
  ApprovalOptions approval = approval_at(server.url());
  approval.on_pending = [&](const PendingApproval& pending) { announced = pending.id; };
  auto refund = sudo_approval(
      "write:refunds", issue_refund, {.function_name = "issue_refund", .approval = approval},
      [](const std::string& order, double amount) {
        return "refund " + std::to_string(static_cast<int>(amount)) + " on order " + order;
      });
  auto session = support_bot().start_session();

  EXPECT_EQ(refund(std::string("A-1001"), 42.0), "A-1001:42.000000");
  EXPECT_EQ(refunds_issued.load(), 1);
  EXPECT_EQ(announced, "ap_1");

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  boost::json::object check = body_of(requests[0]);
  EXPECT_EQ(check["on_denial"], "approval");
  EXPECT_EQ(check["agent_name"], "SupportBot");
  EXPECT_EQ(check["scope"], "write:refunds");
  EXPECT_EQ(check["function_name"], "issue_refund");
  EXPECT_EQ(check["session_id"].as_string(), session.id());
  EXPECT_EQ(check["args_digest"].as_string(), approval_digest(std::string("A-1001"), 42.0));
  EXPECT_EQ(check["preview"], "refund 42 on order A-1001");
  EXPECT_EQ(check["approval_ttl_seconds"], 120);
  EXPECT_FALSE(check.contains("approval"));
  EXPECT_EQ(requests[0].headers["x-api-key"], "as_test");

  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_TRUE(requests[1].target.starts_with("/v1/approvals/ap_1?wait=")) << requests[1].target;

  boost::json::object redeem = body_of(requests[2]);
  EXPECT_EQ(redeem["approval"].as_object()["id"], "ap_1");
  EXPECT_EQ(redeem["approval"].as_object()["nonce"], "n0nce");
  EXPECT_EQ(redeem["args_digest"], check["args_digest"]);
  EXPECT_EQ(redeem["scope"], "write:refunds");
}

TEST_F(ApprovalFlowTest, WithoutAPreviewNothingOfTheArgumentsIsSent) {
  ScriptedApprovals script("approved");
  LoopbackHttpServer server([&](const auto& request) { return script.answer(request); });
  auto refund =
      sudo_approval("write:refunds", issue_refund,
                    {.function_name = "issue_refund", .approval = approval_at(server.url())});
  auto session = support_bot().start_session();
  refund(std::string("A-1001"), 42.0);
  for (const auto& request : server.requests()) {
    EXPECT_EQ(request.body.find("A-1001"), std::string::npos) << request.body;
    EXPECT_EQ(request.body.find("preview"), std::string::npos) << request.body;
  }
}

TEST_F(ApprovalFlowTest, APreviewIsCutTo256Bytes) {
  ScriptedApprovals script("approved");
  LoopbackHttpServer server([&](const auto& request) { return script.answer(request); });
  auto refund =
      sudo_approval("write:refunds", issue_refund, {.approval = approval_at(server.url())},
                    [](const std::string&, double) { return std::string(1000, 'p'); });
  auto session = support_bot().start_session();
  refund(std::string("A-1001"), 1.0);
  EXPECT_EQ(body_of(server.requests().at(0))["preview"].as_string().size(), 256u);
}

TEST_F(ApprovalFlowTest, AnAllowedCallComputesNothingAndAsksNobody) {
  LoopbackHttpServer server;
  int previews = 0;
  auto refund =
      sudo_approval("write:refunds", issue_refund, {.approval = approval_at(server.url())},
                    [&](const std::string&, double) {
                      ++previews;
                      return std::string("p");
                    });
  auto session = Agent("Refunder", {"write:refunds"}).start_session();
  refund(std::string("A-1001"), 1.0);
  EXPECT_EQ(refunds_issued.load(), 1);
  EXPECT_EQ(previews, 0);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(ApprovalFlowTest, TheServerAllowingAtOnceRunsTheCallWithoutWaiting) {
  ScriptedApprovals script("pending");
  script.allow_at_once = true;
  LoopbackHttpServer server([&](const auto& request) { return script.answer(request); });
  auto refund =
      sudo_approval("write:refunds", issue_refund, {.approval = approval_at(server.url())});
  auto session = support_bot().start_session();
  refund(std::string("A-1001"), 1.0);
  EXPECT_EQ(refunds_issued.load(), 1);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(ApprovalFlowTest, ADenialSaysWhoDeniedAndWhyAndRecordsNothingLocally) {
  ScriptedApprovals script("denied");
  LoopbackHttpServer server([&](const auto& request) { return script.answer(request); });
  auto refund =
      sudo_approval("write:refunds", issue_refund, {.approval = approval_at(server.url())});
  auto session = support_bot().start_session();
  EventCapture capture;
  try {
    refund(std::string("A-1001"), 1.0);
    FAIL() << "the denied call ran";
  } catch (const PermissionDenied& denied) {
    EXPECT_EQ(denied.reason(), DenialReason::kApprovalDenied);
    EXPECT_EQ(denied.approval_id(), "ap_1");
    std::string message = denied.what();
    EXPECT_NE(message.find("approval_denied"), std::string::npos) << message;
    EXPECT_NE(message.find("ap_1"), std::string::npos) << message;
    EXPECT_NE(message.find("ops@example.com"), std::string::npos) << message;
    EXPECT_NE(message.find("too large"), std::string::npos) << message;
  }
  EXPECT_EQ(refunds_issued.load(), 0);
  EXPECT_TRUE(capture.events().empty());
}

TEST_F(ApprovalFlowTest, AnExpiredRequestDeniesAsExpired) {
  ScriptedApprovals script("expired");
  LoopbackHttpServer server([&](const auto& request) { return script.answer(request); });
  auto refund =
      sudo_approval("write:refunds", issue_refund, {.approval = approval_at(server.url())});
  auto session = support_bot().start_session();
  try {
    refund(std::string("A-1001"), 1.0);
    FAIL() << "the expired call ran";
  } catch (const PermissionDenied& denied) {
    EXPECT_EQ(denied.reason(), DenialReason::kApprovalExpired);
    EXPECT_NE(std::string(denied.what()).find("expired"), std::string::npos);
  }
  EXPECT_EQ(refunds_issued.load(), 0);
}

TEST_F(ApprovalFlowTest, ADenialWithoutARequestIsRefused) {
  ScriptedApprovals script("pending");
  script.deny_without_request = true;
  LoopbackHttpServer server([&](const auto& request) { return script.answer(request); });
  auto refund =
      sudo_approval("write:refunds", issue_refund, {.approval = approval_at(server.url())});
  auto session = support_bot().start_session();
  try {
    refund(std::string("A-1001"), 1.0);
    FAIL() << "the refused call ran";
  } catch (const PermissionDenied& denied) {
    EXPECT_EQ(denied.reason(), DenialReason::kApprovalRefused);
    EXPECT_NE(std::string(denied.what()).find("no approvals here"), std::string::npos);
  }
  EXPECT_EQ(refunds_issued.load(), 0);
}

TEST_F(ApprovalFlowTest, AnErrorStatusIsRefused) {
  LoopbackHttpServer server([](const auto&) {
    return LoopbackHttpServer::Response{401, R"({"error":"unauthorized"})"};
  });
  auto refund =
      sudo_approval("write:refunds", issue_refund, {.approval = approval_at(server.url())});
  auto session = support_bot().start_session();
  try {
    refund(std::string("A-1001"), 1.0);
    FAIL() << "the refused call ran";
  } catch (const PermissionDenied& denied) {
    EXPECT_EQ(denied.reason(), DenialReason::kApprovalRefused);
    EXPECT_NE(std::string(denied.what()).find("HTTP 401"), std::string::npos) << denied.what();
  }
}

TEST_F(ApprovalFlowTest, AnUnreachableServerDeniesAtOnceAndRecordsALocalDenial) {
  ApprovalOptions approval =
      approval_at("http://127.0.0.1:" + std::to_string(testing::unused_loopback_port()));
  auto refund = sudo_approval("write:refunds", issue_refund,
                              {.function_name = "issue_refund", .approval = approval});
  auto session = support_bot().start_session();
  EventCapture capture;
  try {
    refund(std::string("A-1001"), 1.0);
    FAIL() << "the call ran without a server";
  } catch (const PermissionDenied& denied) {
    EXPECT_EQ(denied.reason(), DenialReason::kApprovalUnreachable);
    EXPECT_TRUE(denied.approval_id().empty());
    EXPECT_NE(std::string(denied.what()).find("could not be reached"), std::string::npos);
  }
  EXPECT_EQ(refunds_issued.load(), 0);
  auto event = capture.single();
  EXPECT_EQ(event["action"], "permission_denied");
  EXPECT_EQ(event["allowed"], false);
  EXPECT_EQ(event["metadata"].as_object()["reason"], "approval_unreachable");
  EXPECT_EQ(event["metadata"].as_object()["on_denial"], "approval");
  EXPECT_FALSE(event["metadata"].as_object().contains("approval_id"));
}

TEST_F(ApprovalFlowTest, TheTimeoutDeniesAndNamesTheRequest) {
  // The scripted server answers "pending" at once, not after the wait: the
  // SDK must pause between polls rather than spin.
  ScriptedApprovals script("pending");
  LoopbackHttpServer server([&](const auto& request) { return script.answer(request); });
  ApprovalOptions approval = approval_at(server.url());
  approval.timeout = 1500ms;
  approval.retry_base_delay = 100ms;
  approval.retry_max_delay = 200ms;
  auto refund = sudo_approval("write:refunds", issue_refund, {.approval = approval});
  auto session = support_bot().start_session();
  EventCapture capture;
  try {
    refund(std::string("A-1001"), 1.0);
    FAIL() << "the call ran without a decision";
  } catch (const PermissionDenied& denied) {
    EXPECT_EQ(denied.reason(), DenialReason::kApprovalTimeout);
    EXPECT_EQ(denied.approval_id(), "ap_1");
    EXPECT_NE(std::string(denied.what()).find("timeout"), std::string::npos);
  }
  EXPECT_EQ(refunds_issued.load(), 0);
  // At most one poll per pause of at least 50 ms in 1.5 s, plus the check.
  EXPECT_LE(server.requests().size(), 32u);
  auto event = capture.single();
  EXPECT_EQ(event["metadata"].as_object()["reason"], "approval_timeout");
  EXPECT_EQ(event["metadata"].as_object()["approval_id"], "ap_1");
}

TEST_F(ApprovalFlowTest, TheWaitOutlastsAServerAnsweringErrorsAndStillGetsTheDecision) {
  ScriptedApprovals script("approved");
  std::atomic<int> polls{0};
  LoopbackHttpServer server([&](const LoopbackHttpServer::Request& request) {
    if (request.method == "GET" && polls.fetch_add(1) < 3)
      return LoopbackHttpServer::Response{503, R"({"error":"restarting"})"};
    return script.answer(request);
  });
  auto refund =
      sudo_approval("write:refunds", issue_refund, {.approval = approval_at(server.url())});
  auto session = support_bot().start_session();
  refund(std::string("A-1001"), 1.0);
  EXPECT_EQ(refunds_issued.load(), 1);
  EXPECT_EQ(polls.load(), 4);
}

TEST_F(ApprovalFlowTest, ARefusedRedemptionDeniesAndTheCallDoesNotRun) {
  ScriptedApprovals script("approved");
  LoopbackHttpServer server([&](const LoopbackHttpServer::Request& request) {
    if (request.body.find("\"nonce\"") != std::string::npos) {
      return LoopbackHttpServer::Response{
          200,
          R"({"allowed":false,"action":"permission_denied","reason":"approval ap_1 was already spent"})"};
    }
    return script.answer(request);
  });
  auto refund =
      sudo_approval("write:refunds", issue_refund, {.approval = approval_at(server.url())});
  auto session = support_bot().start_session();
  try {
    refund(std::string("A-1001"), 1.0);
    FAIL() << "the call ran on a refused redemption";
  } catch (const PermissionDenied& denied) {
    EXPECT_EQ(denied.reason(), DenialReason::kApprovalRefused);
    EXPECT_NE(std::string(denied.what()).find("already spent"), std::string::npos);
  }
  EXPECT_EQ(refunds_issued.load(), 0);
}

void require_refund_scope() {
  // Resolved against the environment only on denial; the test sets the URL.
  AGENTSUDO_REQUIRE_WITH(
      "write:refunds", (GuardOptions{.on_denial = OnDenial::kApproval,
                                     .approval = approval_at(std::getenv("AGENTSUDO_TEST_URL"))}));
}

TEST_F(ApprovalFlowTest, TheStatementFormSendsNoDigest) {
  ScriptedApprovals script("approved");
  LoopbackHttpServer server([&](const auto& request) { return script.answer(request); });
  ::setenv("AGENTSUDO_TEST_URL", server.url().c_str(), 1);
  auto session = support_bot().start_session();
  require_refund_scope();
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  boost::json::object check = body_of(requests[0]);
  EXPECT_FALSE(check.contains("args_digest"));
  EXPECT_EQ(check["function_name"], "require_refund_scope");
}

TEST_F(ApprovalFlowTest, MisconfiguredGuardsAreRefusedAtWrapTime) {
  EXPECT_THROW(sudo("write:refunds", issue_refund, {.on_denial = OnDenial::kApproval}),
               ConfigurationError);
  EXPECT_THROW(sudo_approval("write:refunds", issue_refund, {.on_denial = OnDenial::kLog}),
               ConfigurationError);
  EXPECT_THROW(sudo_approval("write:refunds", issue_refund,
                             {.approval = {.request_ttl = std::chrono::hours(25)}}),
               ConfigurationError);
  EXPECT_THROW(sudo_approval("write:refunds", issue_refund, {.approval = {.timeout = 0ms}}),
               ConfigurationError);
}

TEST_F(ApprovalFlowTest, ReasonsHaveNames) {
  EXPECT_STREQ(to_string(DenialReason::kApprovalDenied), "approval_denied");
  EXPECT_STREQ(to_string(DenialReason::kApprovalExpired), "approval_expired");
  EXPECT_STREQ(to_string(DenialReason::kApprovalTimeout), "approval_timeout");
  EXPECT_STREQ(to_string(DenialReason::kApprovalUnreachable), "approval_unreachable");
  EXPECT_STREQ(to_string(DenialReason::kApprovalRefused), "approval_refused");
}

}  // namespace
}  // namespace agentsudo
