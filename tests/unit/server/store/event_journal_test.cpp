// The PostgreSQL journal: policy and approval records enter a project's
// chained log one at a time, from any node, with seqs in commit order.

#include "server/store/postgres/event_journal.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "../temp_store.hpp"
#include "core/uuid.hpp"
#include "server/audit/chain_verifier.hpp"
#include "server/store/postgres/event_partitions.hpp"

namespace agentsudo::server::postgres {
namespace {

constexpr UnixMicros kReceived = 1'780'000'000'000'000;  // 2026-05-28T20:26:40Z

class PostgresEventJournalTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!store_.is_postgres())
      GTEST_SKIP() << "PostgreSQL only: set AGENTSUDO_TEST_POSTGRES_URL";
    conn_ = Connection::open(store_.database_url());
    project_ = conn_
                   ->exec(
                       "INSERT INTO projects (uuid, name, tier, daily_quota, created_at) "
                       "VALUES ('p-uuid', 'journaled', 'free', 100, 0) RETURNING id")
                   .int64(0, 0);
    agent_ = conn_
                 ->exec(
                     "INSERT INTO agents (uuid, project_id, name, created_at) "
                     "VALUES ('a-uuid', $1, 'writer', 0) RETURNING id",
                     Params().add(project_))
                 .int64(0, 0);
  }

  JournalEvent event(UnixMicros at) {
    JournalEvent e;
    e.project_rowid = project_;
    e.agent_rowid = agent_;
    e.event_id = make_uuid_v7(at / 1000);
    e.action = "policy_changed";
    e.allowed = true;
    e.metadata_json = R"({"change":"created"})";
    e.timestamp = at;
    e.received_at = at;
    return e;
  }

  std::int64_t append(Connection& conn, const JournalEvent& e) {
    Transaction tx(conn);
    std::int64_t seq = append_journal_event(conn, e);
    tx.commit();
    return seq;
  }

  // Recomputes the project's chain from the stored events in seq order.
  audit::ChainReport verify() {
    auto head =
        conn_->exec("SELECT position, seq, hash FROM audit_chain_heads WHERE project_id = $1",
                    Params().add(project_));
    audit::ChainVerifier verifier("p-uuid", {}, {});
    auto rows = conn_->exec(
        "SELECT e.seq, e.uuid, e.action, e.allowed, e.metadata, e.ts, e.received_at, "
        "e.chain_position, e.chain_hash FROM events e WHERE e.project_id = $1 ORDER BY e.seq",
        Params().add(project_));
    for (int r = 0; r < rows.size(); ++r) {
      std::string id = rows.string(r, 1);
      std::string action = rows.string(r, 2);
      std::string metadata = rows.string(r, 4);
      audit::ChainedEvent e;
      e.project_id = "p-uuid";
      e.seq = rows.int64(r, 0);
      e.event_id = id;
      e.agent_id = "a-uuid";
      e.agent_name = "writer";
      e.action = action;
      e.allowed = rows.boolean(r, 3);
      e.metadata_json = metadata;
      e.timestamp = rows.int64(r, 5);
      e.received_at = rows.int64(r, 6);
      e.position = rows.int64(r, 7);
      verifier.add(e, audit::chain_hash_from_bytes(rows.bytes(r, 8)));
    }
    audit::ChainHead recorded{head.int64(0, 0), head.int64(0, 1),
                              *audit::chain_hash_from_bytes(head.bytes(0, 2))};
    return verifier.finish(recorded);
  }

  TempStore store_;
  std::unique_ptr<Connection> conn_;
  std::int64_t project_ = 0;
  std::int64_t agent_ = 0;
};

TEST_F(PostgresEventJournalTest, AppendsChainedEventsWithTheirIdsAndPartition) {
  std::int64_t first = append(*conn_, event(kReceived));
  std::int64_t second = append(*conn_, event(kReceived + 1));
  EXPECT_LT(first, second);

  auto partitions = conn_->exec("SELECT day, table_name FROM event_partitions");
  ASSERT_EQ(partitions.size(), 1);
  EXPECT_EQ(partitions.int64(0, 0), utc_day(kReceived));
  EXPECT_EQ(partitions.string(0, 1), "events_20260528");
  EXPECT_EQ(conn_->exec("SELECT count(*) FROM events_20260528").int64(0, 0), 2);
  EXPECT_EQ(
      conn_->exec("SELECT count(*) FROM event_ids WHERE project_id = $1", Params().add(project_))
          .int64(0, 0),
      2);

  audit::ChainReport report = verify();
  EXPECT_TRUE(report.clean()) << report.fault->detail;
  EXPECT_EQ(report.events_checked, 2);
  EXPECT_EQ(report.last_seq, second);
}

TEST_F(PostgresEventJournalTest, RollbackLeavesTheHeadWhereItWas) {
  append(*conn_, event(kReceived));
  {
    Transaction tx(*conn_);
    append_journal_event(*conn_, event(kReceived + 1));
  }
  append(*conn_, event(kReceived + 2));
  audit::ChainReport report = verify();
  EXPECT_TRUE(report.clean()) << report.fault->detail;
  EXPECT_EQ(report.last_position, 2);
}

// Two nodes (two connections) append to one project at once, each making a
// partition for a day nobody made ahead: the chain has no hole and the
// project's seqs follow the chain's positions, i.e. commit order.
TEST_F(PostgresEventJournalTest, ConcurrentNodesKeepSeqsInCommitOrder) {
  constexpr int kPerNode = 40;
  auto node = [&](int n) {
    auto conn = Connection::open(store_.database_url());
    for (int i = 0; i < kPerNode; ++i)
      append(*conn, event(kReceived + kMicrosPerDay * (i % 3) + n * kPerNode + i));
  };
  std::thread a(node, 0);
  std::thread b(node, 1);
  a.join();
  b.join();

  auto rows = conn_->exec("SELECT chain_position FROM events WHERE project_id = $1 ORDER BY seq",
                          Params().add(project_));
  ASSERT_EQ(rows.size(), 2 * kPerNode);
  for (int r = 0; r < rows.size(); ++r)
    EXPECT_EQ(rows.int64(r, 0), r + 1);
  EXPECT_EQ(conn_->exec("SELECT count(*) FROM event_partitions").int64(0, 0), 3);
  audit::ChainReport report = verify();
  EXPECT_TRUE(report.clean()) << report.fault->detail;
}

TEST(EventPartitionName, IsTheUtcDate) {
  EXPECT_EQ(event_partition_name(0), "events_19700101");
  EXPECT_EQ(event_partition_name(utc_day(kReceived)), "events_20260528");
}

}  // namespace
}  // namespace agentsudo::server::postgres
