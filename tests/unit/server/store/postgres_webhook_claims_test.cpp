// PostgreSQL only (ctest runs it in the `postgres` fixture; the SQLite store
// has one node and no claims): two nodes' dispatchers read one outbox and
// never get the same delivery while its claim holds; a claim ends with the
// attempt, with its lease, or when its node's store closes.
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <mutex>
#include <set>
#include <thread>

#include "another_node.hpp"
#include "server/service/project_service.hpp"
#include "server/store/postgres/pg_webhook_store.hpp"

namespace agentsudo::server {
namespace {

constexpr UnixMicros kNow = 1'764'644'645'000'000;
constexpr UnixMicros kLease = postgres::PgWebhookStore::kClaimLease;
constexpr std::size_t kDeliveries = 10;

std::set<std::string> ids_of(const std::vector<DueDelivery>& due) {
  std::set<std::string> ids;
  for (const auto& item : due)
    ids.insert(item.delivery.id);
  return ids;
}

class PostgresWebhookClaimsTest : public testing::Test {
 protected:
  void SetUp() override {
    // ctest runs this suite only with a cluster; a whole run of the binary
    // without one says so instead of failing.
    if (!store_.is_postgres())
      GTEST_SKIP() << "PostgreSQL only: set AGENTSUDO_TEST_POSTGRES_URL";
    auto created = ProjectService(*store_->projects).create("hooks", Tier{"free", 1000});
    ASSERT_TRUE(created.ok());
    project_ = created->project.rowid;
    auto other = open_another_node(store_);
    ASSERT_TRUE(other.ok()) << other.error().message;
    other_ = std::move(*other);
    auto hook = a().create_webhook(
        project_, NewWebhook{"https://a.example.com/", WebhookFormat::kJson, "s", kNow}, 10);
    ASSERT_TRUE(hook.ok());
    for (std::size_t i = 0; i < kDeliveries; ++i) {
      auto id = a().enqueue_for_webhook(
          project_, hook->id, "ping", kNow,
          [](const Webhook&, const std::string& delivery_id, UnixMicros) { return delivery_id; });
      ASSERT_TRUE(id.ok());
    }
  }

  WebhookStore& a() { return *store_->webhooks; }
  WebhookStore& b() { return *other_.webhooks; }

  TempStore store_;
  StoreSet other_;
  std::int64_t project_ = 0;
};

TEST_F(PostgresWebhookClaimsTest, EachNodeGetsWhatTheOtherHasNotClaimed) {
  auto first = a().due_deliveries(kNow, 6);
  auto second = b().due_deliveries(kNow, kDeliveries);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->size(), 6u);
  EXPECT_EQ(second->size(), kDeliveries - 6);
  std::set<std::string> all = ids_of(*first);
  all.merge(ids_of(*second));
  EXPECT_EQ(all.size(), kDeliveries);
  // A node asking again gets its own claims back (the dispatcher skips what
  // it has in flight), never the other's.
  EXPECT_EQ(ids_of(*a().due_deliveries(kNow + 1, kDeliveries)), ids_of(*first));
}

TEST_F(PostgresWebhookClaimsTest, AnotherNodesClaimIsDueWhenItsLeaseEnds) {
  auto claimed = a().due_deliveries(kNow, kDeliveries);
  ASSERT_EQ(claimed->size(), kDeliveries);
  EXPECT_TRUE(b().due_deliveries(kNow + kLease - 1, kDeliveries)->empty());
  EXPECT_EQ(**b().next_due_at(), kNow + kLease);
  EXPECT_EQ(**a().next_due_at(), kNow);
  EXPECT_EQ(ids_of(*b().due_deliveries(kNow + kLease, kDeliveries)), ids_of(*claimed));
}

TEST_F(PostgresWebhookClaimsTest, AnAttemptEndsTheClaim) {
  auto claimed = a().due_deliveries(kNow, 1);
  ASSERT_EQ(claimed->size(), 1u);
  const std::string id = (*claimed)[0].delivery.id;
  ASSERT_TRUE(
      a().record_attempt(id, DeliveryAttempt{500, "HTTP 500", false, kNow, kNow + 1'000'000}).ok());
  auto retried = b().due_deliveries(kNow + 1'000'000, kDeliveries);
  ASSERT_EQ(retried->size(), kDeliveries);
  EXPECT_EQ(retried->back().delivery.id, id);
  EXPECT_EQ(retried->back().delivery.attempts, 1);
}

TEST_F(PostgresWebhookClaimsTest, ClosingANodesStoreReleasesItsClaims) {
  auto claimed = b().due_deliveries(kNow, kDeliveries);
  ASSERT_EQ(claimed->size(), kDeliveries);
  other_ = {};
  EXPECT_EQ(ids_of(*a().due_deliveries(kNow, kDeliveries)), ids_of(*claimed));
}

TEST_F(PostgresWebhookClaimsTest, NodesAskingAtOnceNeverShareADelivery) {
  constexpr std::size_t kNodes = 4;
  std::vector<StoreSet> nodes;
  for (std::size_t i = 0; i < kNodes; ++i) {
    auto node = open_another_node(store_);
    ASSERT_TRUE(node.ok()) << node.error().message;
    nodes.push_back(std::move(*node));
  }
  std::latch start(kNodes);
  std::mutex mutex;
  std::vector<std::string> handed_out;
  std::vector<std::thread> threads;
  for (auto& node : nodes) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      auto due = node.webhooks->due_deliveries(kNow, 3);
      ASSERT_TRUE(due.ok()) << due.error().message;
      std::lock_guard lock(mutex);
      for (const auto& item : *due)
        handed_out.push_back(item.delivery.id);
    });
  }
  for (auto& thread : threads)
    thread.join();
  std::set<std::string> distinct(handed_out.begin(), handed_out.end());
  EXPECT_EQ(distinct.size(), handed_out.size());
  EXPECT_EQ(distinct.size(), kDeliveries);
}

}  // namespace
}  // namespace agentsudo::server
