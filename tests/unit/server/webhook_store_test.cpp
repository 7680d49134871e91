// WebhookStore on a real SQLite file: webhooks stay in their project, the
// outbox gets one delivery per webhook in one go, and attempts are kept.
#include <gtest/gtest.h>

#include "server/service/project_service.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

constexpr UnixMicros kNow = 1'764'644'645'000'000;

class WebhookStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    ProjectService projects(*store_->projects);
    auto mine = projects.create("mine", Tier{"free", 1000});
    auto theirs = projects.create("theirs", Tier{"free", 1000});
    ASSERT_TRUE(mine.ok() && theirs.ok());
    mine_ = mine->project.rowid;
    theirs_ = theirs->project.rowid;
  }

  Webhook add(std::int64_t project, const std::string& url) {
    auto created = webhooks().create_webhook(
        project, NewWebhook{url, WebhookFormat::kJson, "whsec_" + url, kNow}, 10);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return *created;
  }

  WebhookStore& webhooks() { return *store_->webhooks; }

  static std::string body_of(const Webhook& webhook, const std::string& id, UnixMicros) {
    return webhook.url + " " + id;
  }

  TempStore store_;
  std::int64_t mine_ = 0;
  std::int64_t theirs_ = 0;
};

TEST_F(WebhookStoreTest, WebhooksAreListedAndDeletedOnlyInTheirProject) {
  Webhook a = add(mine_, "https://a.example.com/");
  add(theirs_, "https://b.example.com/");
  auto mine = webhooks().list_webhooks(mine_);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].id, a.id);
  EXPECT_EQ((*mine)[0].secret, "whsec_https://a.example.com/");
  EXPECT_EQ(webhooks().delete_webhook(theirs_, a.id).error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(webhooks().delete_webhook(mine_, a.id).ok());
  EXPECT_TRUE(webhooks().list_webhooks(mine_)->empty());
}

TEST_F(WebhookStoreTest, RefusesMoreThanTheLimit) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        webhooks()
            .create_webhook(mine_, NewWebhook{"https://x/", WebhookFormat::kJson, "s", kNow}, 3)
            .ok());
  }
  auto fourth = webhooks().create_webhook(
      mine_, NewWebhook{"https://x/", WebhookFormat::kJson, "s", kNow}, 3);
  ASSERT_FALSE(fourth.ok());
  EXPECT_EQ(fourth.error().kind, ErrorKind::kConflict);
}

TEST_F(WebhookStoreTest, EnqueueWritesOneDeliveryPerWebhookOfTheProject) {
  Webhook a = add(mine_, "https://a.example.com/");
  Webhook b = add(mine_, "https://b.example.com/");
  add(theirs_, "https://c.example.com/");
  auto ids = webhooks().enqueue_for_project(mine_, "approval.requested", kNow, &body_of);
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 2u);
  auto due = webhooks().due_deliveries(kNow, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  for (const auto& item : *due) {
    EXPECT_EQ(item.delivery.type, "approval.requested");
    EXPECT_EQ(item.delivery.payload, item.url + " " + item.delivery.id);
    EXPECT_EQ(item.delivery.attempts, 0);
    EXPECT_EQ(item.secret, "whsec_" + item.url);
  }
  EXPECT_TRUE(webhooks().enqueue_for_project(theirs_, "ping", kNow, &body_of).ok());
  EXPECT_EQ(webhooks().list_deliveries(mine_, a.id, 10)->size(), 1u);
  EXPECT_EQ(webhooks().list_deliveries(mine_, b.id, 10)->size(), 1u);
  EXPECT_EQ(webhooks().list_deliveries(theirs_, a.id, 10).error().kind, ErrorKind::kNotFound);
}

TEST_F(WebhookStoreTest, AttemptsAreRecordedAndDecideWhatIsDue) {
  Webhook a = add(mine_, "https://a.example.com/");
  auto id = webhooks().enqueue_for_webhook(mine_, a.id, "ping", kNow, &body_of);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(webhooks().enqueue_for_webhook(theirs_, a.id, "ping", kNow, &body_of).error().kind,
            ErrorKind::kNotFound);

  ASSERT_TRUE(
      webhooks()
          .record_attempt(*id, DeliveryAttempt{500, "HTTP 500", false, kNow, kNow + 1'000'000})
          .ok());
  EXPECT_TRUE(webhooks().due_deliveries(kNow, 10)->empty());
  EXPECT_EQ(**webhooks().next_due_at(), kNow + 1'000'000);
  auto log = webhooks().list_deliveries(mine_, a.id, 10);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].attempts, 1);
  EXPECT_EQ((*log)[0].last_status, 500);
  EXPECT_EQ((*log)[0].last_error, "HTTP 500");

  ASSERT_EQ(webhooks().due_deliveries(kNow + 1'000'000, 10)->size(), 1u);
  ASSERT_TRUE(
      webhooks()
          .record_attempt(*id, DeliveryAttempt{200, "", true, kNow + 2'000'000, std::nullopt})
          .ok());
  EXPECT_FALSE(*webhooks().next_due_at());
  log = webhooks().list_deliveries(mine_, a.id, 10);
  EXPECT_EQ((*log)[0].attempts, 2);
  EXPECT_EQ((*log)[0].delivered_at, kNow + 2'000'000);
  EXPECT_EQ((*log)[0].last_error, "");
  EXPECT_FALSE((*log)[0].next_attempt_at);
}

TEST_F(WebhookStoreTest, DeletingTheWebhookDropsItsOutbox) {
  Webhook a = add(mine_, "https://a.example.com/");
  ASSERT_TRUE(webhooks().enqueue_for_webhook(mine_, a.id, "ping", kNow, &body_of).ok());
  ASSERT_TRUE(webhooks().delete_webhook(mine_, a.id).ok());
  EXPECT_TRUE(webhooks().due_deliveries(kNow, 10)->empty());
}

}  // namespace
}  // namespace agentsudo::server
