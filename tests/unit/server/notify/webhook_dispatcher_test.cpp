// WebhookDispatcher on a real SQLite file: notify() returns at once and the
// approval reaches the outbox, one delivery per webhook, even when the
// dispatcher is stopped right after (stop() writes what is queued).
#include "server/notify/webhook_dispatcher.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "../temp_store.hpp"
#include "server/service/project_service.hpp"

namespace agentsudo::server {
namespace {
namespace json = boost::json;

std::string text(const json::value& value) {
  return std::string(value.as_string());
}

TEST(WebhookDispatcherTest, NotifyQueuesAnApprovalIntoTheOutboxOfEachWebhook) {
  TempStore store;
  ProjectService projects(*store->projects);
  auto project = projects.create("p", Tier{"free", 1000});
  ASSERT_TRUE(project.ok());
  SystemClock clock;
  std::vector<Webhook> hooks;
  for (auto format : {WebhookFormat::kJson, WebhookFormat::kSlack}) {
    // Port 9 (discard): nothing listens, so attempts fail and stay in the log.
    auto created = store->webhooks->create_webhook(
        project->project.rowid,
        NewWebhook{"http://127.0.0.1:9/hook", format, "whsec_x", clock.now()}, 10);
    ASSERT_TRUE(created.ok());
    hooks.push_back(*created);
  }

  Approval approval;
  approval.id = "0193a0c4-0000-7000-8000-000000000001";
  approval.project_rowid = project->project.rowid;
  approval.project_id = project->project.id;
  approval.agent_name = "bot";
  approval.scope = "write:x";
  approval.status = ApprovalStatus::kDenied;
  approval.decided_by = "operator";

  WebhookDispatcher dispatcher(*store->webhooks, clock);
  dispatcher.start("https://as.example.com");
  dispatcher.notify(approval);
  dispatcher.stop();

  auto json_log = store->webhooks->list_deliveries(project->project.rowid, hooks[0].id, 10);
  ASSERT_TRUE(json_log.ok());
  ASSERT_EQ(json_log->size(), 1u);
  EXPECT_EQ((*json_log)[0].type, "approval.denied");
  auto body = json::parse((*json_log)[0].payload).as_object();
  EXPECT_EQ(text(body.at("id")), (*json_log)[0].id);
  EXPECT_EQ(text(body.at("approval").as_object().at("decided_by")), "operator");
  EXPECT_EQ(text(body.at("dashboard_url")), "https://as.example.com/approvals?id=" + approval.id);

  auto slack_log = store->webhooks->list_deliveries(project->project.rowid, hooks[1].id, 10);
  ASSERT_EQ(slack_log->size(), 1u);
  EXPECT_TRUE(json::parse((*slack_log)[0].payload).as_object().contains("text"));
}

}  // namespace
}  // namespace agentsudo::server
