// The chain as the stores keep it: every appended event linked, heads
// and signed checkpoints recorded, the whole verified clean and a change made
// behind the store's back named.

#include <gtest/gtest.h>

#include "../temp_store.hpp"
#include "server/service/project_service.hpp"
#include "server/store/sqlite/database.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace agentsudo::server {
namespace {

class AuditChainStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    auto created = ProjectService(*store_->projects).create("audited", Tier{"free", 100000});
    ASSERT_TRUE(created.ok());
    project_ = created->project;
  }

  void append(int events) {
    EventBatch batch;
    batch.project_rowid = project_.rowid;
    batch.received_at = 1'000'000;
    for (int i = 0; i < events; ++i) {
      Event event;
      event.agent_name = i % 2 ? "reader" : "writer";
      event.action = "call";
      event.allowed = i % 3 != 0;
      event.metadata_json = "{}";
      batch.events.push_back(event);
      batch.event_ids.push_back("id-" + std::to_string(next_id_++));
    }
    std::vector<EventBatch*> batches{&batch};
    std::vector<CommittedBatch> committed(1);
    ASSERT_TRUE(store_->events->append(batches, committed).ok());
  }

  audit::ChainReport verify() {
    auto report = store_->audit->verify(project_.rowid, store_->signing_key->public_key());
    EXPECT_TRUE(report.ok());
    return *report;
  }

  // A change behind the store's back, in SQL both databases take.
  void tamper(const std::string& sql) {
    if (store_.is_postgres()) {
      postgres::Connection::open(store_.database_url())->exec_script(sql);
      return;
    }
    auto db = sqlite::Database::open(sqlite::database_file(store_.dir()));
    db->exec(sql);
  }

  TempStore store_;
  Project project_;
  int next_id_ = 0;
};

TEST_F(AuditChainStoreTest, AppendedEventsAndCheckpointsVerifyClean) {
  append(5);
  ASSERT_TRUE(store_->events->write_checkpoints().ok());
  append(3);
  ASSERT_TRUE(store_->events->write_checkpoints().ok());
  auto report = verify();
  ASSERT_TRUE(report.clean()) << report.fault->detail;
  EXPECT_EQ(report.events_checked, 8);
  EXPECT_EQ(report.checkpoints_checked, 2);
}

TEST_F(AuditChainStoreTest, AnEditedEventIsNamedBySeqAndId) {
  append(4);
  ASSERT_TRUE(store_->events->write_checkpoints().ok());
  tamper("UPDATE events SET allowed = NOT allowed WHERE uuid = 'id-2'");
  auto report = verify();
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, audit::FaultKind::kHashMismatch);
  EXPECT_EQ(report.fault->event_id, "id-2");
}

TEST_F(AuditChainStoreTest, EventsAfterTheLastCheckpointAreHeldToTheHead) {
  append(4);
  ASSERT_TRUE(store_->events->write_checkpoints().ok());
  append(2);
  tamper("DELETE FROM events WHERE uuid IN ('id-4', 'id-5')");
  auto report = verify();
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->kind, audit::FaultKind::kMissing);
  EXPECT_EQ(report.fault->position, 5);
}

}  // namespace
}  // namespace agentsudo::server
