// The store's behaviour through its interfaces, on a real SQLite file.

#include "server/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "server/auth/secret.hpp"
#include "server/ingest/commit_queue.hpp"
#include "server/service/key_service.hpp"
#include "server/service/project_service.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

class SqliteStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    auto created = ProjectService(*store_->projects).create("test", Tier{"free", 1000});
    ASSERT_TRUE(created.ok());
    project_ = created->project;
    key_ = created->key;
  }

  EventBatch batch(std::vector<std::string> agents, UnixMicros at = 1'000'000) {
    EventBatch b;
    b.project_rowid = project_.rowid;
    b.received_at = at;
    for (auto& agent : agents) {
      Event event;
      event.agent_name = agent;
      event.action = "permission_check";
      event.allowed = true;
      b.events.push_back(event);
      b.event_ids.push_back("id-" + std::to_string(next_id_++));
    }
    return b;
  }

  Result<CommittedBatch> append(EventBatch& b) {
    std::vector<EventBatch*> batches{&b};
    std::vector<CommittedBatch> committed(1);
    Status status = store_->events->append(batches, committed);
    if (!status)
      return status.error();
    return committed[0];
  }

  TempStore store_;
  Project project_;
  IssuedApiKey key_;
  int next_id_ = 0;
};

TEST_F(SqliteStoreTest, KeysAreFoundByDigestUntilRevoked) {
  auto owner = store_->projects->find_key_owner(digest_secret(key_.plaintext));
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(owner->project_id, project_.id);
  EXPECT_EQ(owner->daily_quota, 1000);
  ASSERT_TRUE(store_->projects->revoke_api_key(std::nullopt, key_.record.id).ok());
  auto revoked = store_->projects->find_key_owner(digest_secret(key_.plaintext));
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().kind, ErrorKind::kInvalidApiKey);
  EXPECT_FALSE(store_->projects->revoke_api_key(std::nullopt, key_.record.id).ok());
}

TEST_F(SqliteStoreTest, RotationRevokesTheOldKeyAndIssuesANewOne) {
  auto rotated = KeyService(*store_->projects).rotate_in_any_project(key_.record.id);
  ASSERT_TRUE(rotated.ok());
  EXPECT_FALSE(store_->projects->find_key_owner(digest_secret(key_.plaintext)).ok());
  EXPECT_TRUE(store_->projects->find_key_owner(digest_secret(rotated->plaintext)).ok());
  auto keys = store_->projects->list_api_keys(project_.id);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_TRUE((*keys)[0].revoked_at.has_value());
  EXPECT_FALSE((*keys)[1].revoked_at.has_value());
}

TEST_F(SqliteStoreTest, NoPlaintextSecretIsStored) {
  *store_ = {};
  std::string file_bytes;
  for (const auto& entry : std::filesystem::directory_iterator(store_.dir())) {
    std::ifstream in(entry.path(), std::ios::binary);
    file_bytes.append(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(file_bytes.find(key_.plaintext), std::string::npos);
  EXPECT_EQ(file_bytes.find(key_.plaintext.substr(10)), std::string::npos);
}

TEST_F(SqliteStoreTest, SameAgentNameSameIdPerProject) {
  auto b1 = batch({"bot", "bot", "other"});
  auto first = append(b1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->agent_ids[0], first->agent_ids[1]);
  EXPECT_NE(first->agent_ids[0], first->agent_ids[2]);
  auto b2 = batch({"bot"});
  EXPECT_EQ(append(b2)->agent_ids[0], first->agent_ids[0]);
}

TEST_F(SqliteStoreTest, UsageCountsPerUtcDay) {
  auto today = batch({"a", "b"}, 5 * kMicrosPerDay + 1);
  auto tomorrow = batch({"a"}, 6 * kMicrosPerDay);
  ASSERT_TRUE(append(today).ok());
  ASSERT_TRUE(append(tomorrow).ok());
  EXPECT_EQ(*store_->projects->events_on_day(project_.rowid, 5), 2);
  EXPECT_EQ(*store_->projects->events_on_day(project_.rowid, 6), 1);
  EXPECT_EQ(*store_->projects->events_on_day(project_.rowid, 7), 0);
}

TEST_F(SqliteStoreTest, QueryIsNewestFirstAndFiltered) {
  auto b = batch({"a", "b", "a"});
  b.events[1].allowed = false;
  b.events[2].scope = "read:orders";
  ASSERT_TRUE(append(b).ok());
  EventQuery all;
  all.project_rowid = project_.rowid;
  auto events = store_->events->query(all);
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].id, b.event_ids[2]);
  EXPECT_EQ((*events)[2].id, b.event_ids[0]);

  EventQuery denied = all;
  denied.allowed = false;
  EXPECT_EQ(store_->events->query(denied)->size(), 1u);
  EventQuery by_agent = all;
  by_agent.agent_name = "a";
  EXPECT_EQ(store_->events->query(by_agent)->size(), 2u);
  EventQuery page = all;
  page.limit = 1;
  page.before_seq = (*events)[0].seq;
  EXPECT_EQ(store_->events->query(page)->front().id, b.event_ids[1]);
}

TEST_F(SqliteStoreTest, CommitQueueGroupsConcurrentBatchesAndCompletesEach) {
  Metrics metrics;
  CommitQueue queue(*store_->events, metrics);
  constexpr int kBatches = 200;
  std::vector<EventBatch> batches;
  for (int i = 0; i < kBatches; ++i)
    batches.push_back(batch({"agent-" + std::to_string(i % 7)}));
  std::vector<std::promise<bool>> done(kBatches);
  for (int i = 0; i < kBatches; ++i) {
    queue.submit(batches[i], [&done, i](Result<CommittedBatch> result) {
      done[i].set_value(result.ok() && result->agent_ids.size() == 1);
    });
  }
  for (auto& d : done)
    EXPECT_TRUE(d.get_future().get());
  queue.stop();
  EXPECT_EQ(metrics.events_stored.value(), static_cast<std::uint64_t>(kBatches));
  EventQuery all;
  all.project_rowid = project_.rowid;
  all.limit = 1000;
  EXPECT_EQ(store_->events->query(all)->size(), static_cast<std::size_t>(kBatches));
}

TEST_F(SqliteStoreTest, AFailedRoundStoresNothingAndForgetsNewAgents) {
  auto good = batch({"new-agent"});
  auto bad = batch({"x"});
  bad.project_rowid = 999'999;  // violates the foreign key, failing the whole transaction
  std::vector<EventBatch*> batches{&good, &bad};
  std::vector<CommittedBatch> committed(2);
  EXPECT_FALSE(store_->events->append(batches, committed).ok());
  EventQuery all;
  all.project_rowid = project_.rowid;
  EXPECT_TRUE(store_->events->query(all)->empty());
  auto retry = batch({"new-agent"});
  EXPECT_TRUE(append(retry).ok());
  EXPECT_EQ(store_->events->query(all)->size(), 1u);
}

}  // namespace
}  // namespace agentsudo::server
