// Two server nodes on one PostgreSQL database: two PgEventStores, each with
// its own writer, appending to one project at once.

#include "server/store/postgres/pg_event_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "../temp_store.hpp"

namespace agentsudo::server::postgres {
namespace {

constexpr UnixMicros kReceived = 1'780'000'000'000'000;  // 2026-05-28T20:26:40Z
constexpr int kRounds = 30;
constexpr int kBatchSize = 12;

class PostgresEventStoreTwoNodes : public testing::Test {
 protected:
  void SetUp() override {
    if (!store_.is_postgres())
      GTEST_SKIP() << "PostgreSQL only: set AGENTSUDO_TEST_POSTGRES_URL";
    conn_ = Connection::open(store_.database_url());
    project_ = conn_
                   ->exec(
                       "INSERT INTO projects (uuid, name, tier, daily_quota, created_at) "
                       "VALUES ('p-uuid', 'shared', 'free', 1000000, 0) RETURNING id")
                   .int64(0, 0);
    second_node_ =
        std::make_unique<PgEventStore>(Connection::open(store_.database_url()),
                                       std::make_shared<ConnectionPool>(store_.database_url(), 1));
  }

  // Round `round` of node `node`: its own ids, except that every third round
  // both nodes send the same ids (a client retrying through the other node).
  EventBatch batch(int node, int round) {
    EventBatch b;
    b.project_rowid = project_;
    b.received_at = kReceived + round;
    bool shared = round % 3 == 0;
    for (int i = 0; i < kBatchSize; ++i) {
      Event event;
      event.agent_name = "agent-" + std::to_string(i % 4);
      event.action = "permission_check";
      event.scope = i % 2 ? "read:orders" : "write:orders";
      event.allowed = i % 3 != 0;
      event.metadata_json = "{}";
      b.events.push_back(event);
      b.event_ids.push_back((shared ? "shared-" : "node" + std::to_string(node) + "-") +
                            std::to_string(round) + "-" + std::to_string(i));
    }
    return b;
  }

  void run_node(EventStore& events, int node) {
    for (int round = 0; round < kRounds; ++round) {
      EventBatch b = batch(node, round);
      std::vector<EventBatch*> batches{&b};
      std::vector<CommittedBatch> committed(1);
      Status status = events.append(batches, committed);
      ASSERT_TRUE(status.ok()) << status.error().message;
      ASSERT_EQ(committed[0].agent_ids.size(), static_cast<std::size_t>(kBatchSize));
      duplicates_ += static_cast<int>(committed[0].duplicates.size());
    }
  }

  std::int64_t count(const std::string& sql) {
    return conn_->exec(sql, Params().add(project_)).int64(0, 0);
  }

  TempStore store_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<PgEventStore> second_node_;
  std::int64_t project_ = 0;
  std::atomic<int> duplicates_ = 0;
};

TEST_F(PostgresEventStoreTwoNodes, ConcurrentAppendsLoseNothingAndKeepOneChain) {
  std::thread a([&] { run_node(*store_->events, 0); });
  std::thread b([&] { run_node(*second_node_, 1); });
  a.join();
  b.join();

  constexpr int kShared = (kRounds + 2) / 3 * kBatchSize;
  constexpr int kStored = 2 * kRounds * kBatchSize - kShared;
  EXPECT_EQ(duplicates_.load(), kShared);
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE project_id = $1"), kStored);
  EXPECT_EQ(count("SELECT count(*) FROM event_ids WHERE project_id = $1"), kStored);
  EXPECT_EQ(count("SELECT sum(events) FROM usage_daily WHERE project_id = $1"), kStored);
  EXPECT_EQ(count("SELECT sum(allowed + denied) FROM activity_buckets "
                  "WHERE project_id = $1 AND period = 0"),
            kStored);
  EXPECT_EQ(count("SELECT sum(events) FROM agent_buckets WHERE project_id = $1 AND period = 1"),
            kStored);
  EXPECT_EQ(count("SELECT sum(requests) FROM scope_buckets WHERE project_id = $1 AND period = 1"),
            kStored);
  EXPECT_EQ(count("SELECT count(*) FROM agents WHERE project_id = $1"), 4);

  // Seqs in commit order: ordered by seq, the chain positions run 1, 2, ...
  auto rows = conn_->exec("SELECT chain_position FROM events WHERE project_id = $1 ORDER BY seq",
                          Params().add(project_));
  for (int r = 0; r < rows.size(); ++r)
    ASSERT_EQ(rows.int64(r, 0), r + 1);

  ASSERT_TRUE(store_->events->write_checkpoints().ok());
  auto report = store_->audit->verify(project_, store_->signing_key->public_key());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->clean()) << report->fault->detail;
  EXPECT_EQ(report->events_checked, kStored);
}

// A duplicate is reported with the event stored under its id, by whichever
// node stored it, and the tail reads the project oldest first.
TEST_F(PostgresEventStoreTwoNodes, DuplicatesAcrossNodesReportTheStoredEvent) {
  EventBatch first = batch(0, 0);
  std::vector<EventBatch*> batches{&first};
  std::vector<CommittedBatch> committed(1);
  ASSERT_TRUE(store_->events->append(batches, committed).ok());
  EXPECT_TRUE(committed[0].duplicates.empty());

  EventBatch retried = batch(1, 0);
  retried.events[0].action = "changed";
  batches = {&retried};
  ASSERT_TRUE(second_node_->append(batches, committed).ok());
  ASSERT_EQ(committed[0].duplicates.size(), static_cast<std::size_t>(kBatchSize));
  const StoredEvent& stored = committed[0].duplicates[0].second;
  EXPECT_EQ(stored.id, first.event_ids[0]);
  EXPECT_EQ(stored.action, "permission_check");
  EXPECT_EQ(committed[0].agent_ids[0], stored.agent_id);

  auto tail = second_node_->tail({project_, 0, 100});
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), static_cast<std::size_t>(kBatchSize));
  EXPECT_EQ(tail->front().id, first.event_ids[0]);
  EXPECT_EQ(*second_node_->last_seq(project_), tail->back().seq);
}

// The same id twice in one batch is stored once; the second is reported as
// a duplicate of the first.
TEST_F(PostgresEventStoreTwoNodes, ARepeatedIdInOneBatchIsStoredOnce) {
  EventBatch b = batch(0, 1);
  b.event_ids[5] = b.event_ids[2];
  std::vector<EventBatch*> batches{&b};
  std::vector<CommittedBatch> committed(1);
  ASSERT_TRUE(store_->events->append(batches, committed).ok());
  ASSERT_EQ(committed[0].duplicates.size(), 1u);
  EXPECT_EQ(committed[0].duplicates[0].first, 5u);
  EXPECT_EQ(committed[0].duplicates[0].second.id, b.event_ids[2]);
  EXPECT_EQ(committed[0].duplicates[0].second.scope, b.events[2].scope);
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE project_id = $1"), kBatchSize - 1);
}

}  // namespace
}  // namespace agentsudo::server::postgres
