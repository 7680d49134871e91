// Approval mode against the real agentsudo-server: a waiting call is woken by
// a decision made through the management API and runs exactly once; the
// approval is then spent; a denial, the SDK's own timeout, a server killed
// and restarted mid-wait, and a server that is not there each end as the
// docs say.
#include <gtest/gtest.h>

#include <agentsudo/agentsudo.hpp>
#include <atomic>
#include <boost/json.hpp>
#include <cstdlib>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "local_server_process.hpp"

namespace agentsudo {
namespace {

using namespace std::chrono_literals;
using testing::LocalServerProcess;
using Clock = std::chrono::steady_clock;

// A hang guard for conditions polled below, not a timing bound.
constexpr auto kPatience = 30s;

std::string server_binary() {
  const char* override_path = std::getenv("AGENTSUDO_SERVER_BIN");
  return override_path != nullptr ? override_path : AGENTSUDO_SERVER_BIN;
}

std::string approvals_url(const LocalServerProcess& server) {
  return server.endpoint() + "/api/v1/projects/" + server.project_id() + "/approvals";
}

// The ids of the project's pending requests, newest first.
std::vector<std::string> pending_ids(const LocalServerProcess& server) {
  boost::json::value list = boost::json::parse(
      testing::http_get(approvals_url(server) + "?status=pending", server.management_token()));
  std::vector<std::string> ids;
  for (const auto& item : list.at("approvals").as_array())
    ids.emplace_back(item.at("id").as_string());
  return ids;
}

// Waits until `count` requests are pending; returns their ids.
std::vector<std::string> wait_for_pending(const LocalServerProcess& server, std::size_t count) {
  auto deadline = Clock::now() + kPatience;
  for (;;) {
    std::vector<std::string> ids = pending_ids(server);
    if (ids.size() >= count || Clock::now() >= deadline)
      return ids;
    std::this_thread::sleep_for(10ms);
  }
}

boost::json::object decide(const LocalServerProcess& server, const std::string& id,
                           const std::string& verdict, const std::string& body = "{}") {
  auto result = testing::http_send("POST", approvals_url(server) + "/" + id + "/" + verdict,
                                   server.management_token(), body);
  if (result.status != 200)
    throw std::runtime_error(verdict + " " + id + ": " + std::to_string(result.status) + " " +
                             result.body);
  return boost::json::parse(result.body).as_object();
}

// The server's gauge of approval waits held open now; -1 without one.
int approval_waiters(const LocalServerProcess& server) {
  std::string metrics =
      testing::http_get(server.endpoint() + "/metrics", server.management_token());
  constexpr std::string_view kGauge = "\nagentsudo_approval_waiters ";
  std::size_t at = metrics.find(kGauge);
  return at == std::string::npos ? -1 : std::stoi(metrics.substr(at + kGauge.size()));
}

void create_agent(const LocalServerProcess& server, const std::string& name) {
  auto result = testing::http_send(
      "POST", server.endpoint() + "/api/v1/projects/" + server.project_id() + "/agents",
      server.management_token(), R"({"name": ")" + name + R"(", "scopes": ["read:orders"]})");
  if (result.status != 201)
    throw std::runtime_error("creating agent: " + std::to_string(result.status) + " " +
                             result.body);
}

ApprovalOptions approval_for(const LocalServerProcess& server, std::chrono::milliseconds timeout) {
  return ApprovalOptions{.timeout = timeout,
                         .api_key = server.api_key(),
                         .endpoint = server.endpoint(),
                         .retry_base_delay = 20ms,
                         .retry_max_delay = 200ms};
}

// What one guarded call in another thread ended with.
struct CallResult {
  bool ran = false;
  DenialReason reason = DenialReason::kNone;
  std::string approval_id;
  std::string message;
};

class ApprovalServerIntegration : public ::testing::Test {
 protected:
  void SetUp() override { create_agent(server_, "SupportBot"); }

  // Wraps a refund that counts its runs, in approval mode.
  auto refund_guard(std::chrono::milliseconds timeout) {
    return sudo_approval(
        "write:refunds",
        [this](const std::string& order, double amount) {
          runs_.fetch_add(1);
          return order + " " + std::to_string(amount);
        },
        {.function_name = "issue_refund", .approval = approval_for(server_, timeout)},
        [](const std::string& order, double) { return "refund on order " + order; });
  }

  // Calls `guard(order, amount)` on a new thread inside a session of the
  // agent, which lacks write:refunds.
  template <class Guard>
  std::future<CallResult> call_async(Guard& guard, std::string order, double amount) {
    return std::async(std::launch::async, [&guard, order, amount] {
      auto session = Agent("SupportBot", {"read:orders"}).start_session();
      CallResult result;
      try {
        guard(order, amount);
        result.ran = true;
      } catch (const PermissionDenied& denied) {
        result.reason = denied.reason();
        result.approval_id = denied.approval_id();
        result.message = denied.what();
      }
      return result;
    });
  }

  LocalServerProcess server_{server_binary()};
  std::atomic<int> runs_{0};
};

TEST_F(ApprovalServerIntegration, AnApprovalWakesTheWaitingCallWhichRunsOnceAndIsThenSpent) {
  auto refund = refund_guard(60s);
  auto waiting = call_async(refund, "A-1001", 42.0);
  std::vector<std::string> ids = wait_for_pending(server_, 1);
  ASSERT_EQ(ids.size(), 1u);
  boost::json::object item = decide(server_, ids[0], "approve", R"({"reason": "ok once"})");
  EXPECT_EQ(item["status"], "approved");

  ASSERT_EQ(waiting.wait_for(kPatience), std::future_status::ready);
  CallResult result = waiting.get();
  EXPECT_TRUE(result.ran) << result.message;
  EXPECT_EQ(runs_.load(), 1);

  // Spent: the same call asks again, as a new request.
  auto again = call_async(refund, "A-1001", 42.0);
  std::vector<std::string> next = wait_for_pending(server_, 1);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_NE(next[0], ids[0]);
  decide(server_, next[0], "deny", R"({"reason": "one refund is enough"})");
  ASSERT_EQ(again.wait_for(kPatience), std::future_status::ready);
  CallResult denied = again.get();
  EXPECT_FALSE(denied.ran);
  EXPECT_EQ(denied.reason, DenialReason::kApprovalDenied);
  EXPECT_EQ(denied.approval_id, next[0]);
  EXPECT_NE(denied.message.find("operator"), std::string::npos) << denied.message;
  EXPECT_NE(denied.message.find("one refund is enough"), std::string::npos) << denied.message;
  EXPECT_EQ(runs_.load(), 1);
}

TEST_F(ApprovalServerIntegration, TheRequestCarriesTheDigestAndPreviewOnly) {
  auto refund = refund_guard(60s);
  auto waiting = call_async(refund, "A-1001", 42.0);
  std::vector<std::string> ids = wait_for_pending(server_, 1);
  ASSERT_EQ(ids.size(), 1u);
  boost::json::value list = boost::json::parse(
      testing::http_get(approvals_url(server_) + "?status=pending", server_.management_token()));
  const boost::json::object& item = list.at("approvals").as_array().at(0).as_object();
  EXPECT_EQ(item.at("args_digest").as_string(), approval_digest(std::string("A-1001"), 42.0));
  EXPECT_EQ(item.at("preview"), "refund on order A-1001");
  EXPECT_EQ(item.at("agent_name"), "SupportBot");
  EXPECT_EQ(item.at("scope"), "write:refunds");
  EXPECT_EQ(item.at("function_name"), "issue_refund");
  decide(server_, ids[0], "deny");
  ASSERT_EQ(waiting.wait_for(kPatience), std::future_status::ready);
  EXPECT_EQ(waiting.get().reason, DenialReason::kApprovalDenied);
}

TEST_F(ApprovalServerIntegration, ManyThreadsWaitEachOnItsOwnRequest) {
  auto refund = refund_guard(60s);
  std::vector<std::future<CallResult>> calls;
  for (int i = 0; i < 4; ++i)
    calls.push_back(call_async(refund, "A-" + std::to_string(i), 10.0 + i));
  std::vector<std::string> ids = wait_for_pending(server_, 4);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 4u);
  for (const std::string& id : ids)
    decide(server_, id, "approve");
  for (auto& call : calls) {
    ASSERT_EQ(call.wait_for(kPatience), std::future_status::ready);
    CallResult result = call.get();
    EXPECT_TRUE(result.ran) << result.message;
  }
  EXPECT_EQ(runs_.load(), 4);
}

TEST_F(ApprovalServerIntegration, AGrantForMinutesLetsTheNextCallsRunWithoutAsking) {
  auto refund = refund_guard(60s);
  auto first = call_async(refund, "A-1", 1.0);
  std::vector<std::string> ids = wait_for_pending(server_, 1);
  ASSERT_EQ(ids.size(), 1u);
  decide(server_, ids[0], "approve", R"({"for_minutes": 5})");
  ASSERT_EQ(first.wait_for(kPatience), std::future_status::ready);
  EXPECT_TRUE(first.get().ran);
  auto second = call_async(refund, "A-2", 2.0);
  ASSERT_EQ(second.wait_for(kPatience), std::future_status::ready);
  EXPECT_TRUE(second.get().ran);
  EXPECT_TRUE(pending_ids(server_).empty());
  EXPECT_EQ(runs_.load(), 2);
}

TEST_F(ApprovalServerIntegration, TheSdkTimeoutDeniesWhileTheRequestStaysPending) {
  auto refund = refund_guard(1500ms);
  CallResult result = call_async(refund, "A-1001", 42.0).get();
  EXPECT_FALSE(result.ran);
  EXPECT_EQ(result.reason, DenialReason::kApprovalTimeout);
  ASSERT_FALSE(result.approval_id.empty());
  EXPECT_NE(result.message.find(result.approval_id), std::string::npos) << result.message;
  std::vector<std::string> ids = pending_ids(server_);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0], result.approval_id);
  EXPECT_EQ(runs_.load(), 0);
}

TEST_F(ApprovalServerIntegration, AWaitingCallSurvivesTheServerKilledAndRestarted) {
  auto refund = refund_guard(90s);
  auto waiting = call_async(refund, "A-1001", 42.0);
  std::vector<std::string> ids = wait_for_pending(server_, 1);
  ASSERT_EQ(ids.size(), 1u);
  // Kill it while the call is inside a long-poll, when the server counts one.
  auto deadline = Clock::now() + kPatience;
  while (approval_waiters(server_) == 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  server_.kill_hard();
  EXPECT_NE(waiting.wait_for(300ms), std::future_status::ready);
  server_.restart();
  EXPECT_EQ(pending_ids(server_), ids);
  decide(server_, ids[0], "approve");
  ASSERT_EQ(waiting.wait_for(kPatience), std::future_status::ready);
  CallResult result = waiting.get();
  EXPECT_TRUE(result.ran) << result.message;
  EXPECT_EQ(runs_.load(), 1);
}

TEST_F(ApprovalServerIntegration, AServerUnreachableFromTheStartDenies) {
  auto refund = refund_guard(5s);
  server_.stop();
  CallResult result = call_async(refund, "A-1001", 42.0).get();
  EXPECT_FALSE(result.ran);
  EXPECT_EQ(result.reason, DenialReason::kApprovalUnreachable);
  EXPECT_TRUE(result.approval_id.empty());
  EXPECT_NE(result.message.find("could not be reached"), std::string::npos) << result.message;
  EXPECT_EQ(runs_.load(), 0);
}

}  // namespace
}  // namespace agentsudo
