// Retention on both stores: a project's events older than its retention go
// with the aggregate rows of their days, the other projects' stay, the
// audit chain still verifies from the recorded horizon, and ingestion goes
// on after a pass.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../temp_store.hpp"
#include "server/service/project_service.hpp"
#include "server/store/postgres/event_partitions.hpp"
#include "server/store/sqlite/database.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace agentsudo::server {
namespace {

constexpr std::int64_t kToday = 20'000;  // a UTC day (2024-10-04)
constexpr UnixMicros kNow = kToday * kMicrosPerDay + 15 * 3'600'000'000LL;
constexpr int kDays = 10;
constexpr int kEventsPerDay = 6;

class RetentionTest : public testing::Test {
 protected:
  void SetUp() override {
    ProjectService projects(*store_->projects);
    auto kept = projects.create("kept", Tier{"free", 100000});
    auto trimmed = projects.create("trimmed", Tier{"free", 100000});
    ASSERT_TRUE(kept.ok() && trimmed.ok());
    kept_ = kept->project;
    trimmed_ = trimmed->project;
    // Ten UTC days ending today, both projects, oldest first; a checkpoint
    // after the fourth day, which retention will pass.
    for (int d = 0; d < kDays; ++d) {
      UnixMicros at = (kToday - kDays + 1 + d) * kMicrosPerDay + 3'600'000'000LL;
      append(kept_, at, kEventsPerDay);
      append(trimmed_, at, kEventsPerDay);
      if (d == 3) {
        ASSERT_TRUE(store_->events->write_checkpoints().ok());
      }
    }
    ASSERT_TRUE(store_->events->write_checkpoints().ok());
  }

  void append(const Project& project, UnixMicros received_at, int events) {
    EventBatch batch;
    batch.project_rowid = project.rowid;
    batch.received_at = received_at;
    for (int i = 0; i < events; ++i) {
      Event event;
      event.agent_name = i % 2 ? "reader" : "writer";
      event.action = "call";
      if (i % 3 != 2)
        event.scope = i % 3 ? "db.read" : "db.write";
      event.allowed = i % 4 != 0;
      event.metadata_json = "{}";
      event.timestamp = received_at + i;
      batch.events.push_back(event);
      batch.event_ids.push_back(project.name + "-" + std::to_string(next_id_++));
    }
    std::vector<EventBatch*> batches{&batch};
    std::vector<CommittedBatch> committed(1);
    ASSERT_TRUE(store_->events->append(batches, committed).ok());
  }

  // One number from SQL both databases take.
  std::int64_t scalar(const std::string& sql) {
    if (store_.is_postgres())
      return postgres::Connection::open(store_.database_url())->exec(sql).int64(0, 0);
    auto db = sqlite::Database::open(sqlite::database_file(store_.dir()));
    auto row = db->prepare_cached(sql);
    EXPECT_TRUE(row->step());
    return row->column_int64(0);
  }

  std::int64_t events_of(const Project& project, const std::string& where = "TRUE") {
    return scalar("SELECT count(*) FROM events WHERE project_id = " +
                  std::to_string(project.rowid) + " AND " + where);
  }

  // Each aggregate's total for the project, against a recount of its events.
  void expect_aggregates_match_events(const Project& project) {
    std::string id = std::to_string(project.rowid);
    std::int64_t events = events_of(project);
    std::int64_t scoped = events_of(project, "scope IS NOT NULL");
    EXPECT_EQ(scalar("SELECT coalesce(sum(events), 0) FROM usage_daily WHERE project_id = " + id),
              events);
    for (int period : {0, 1}) {
      std::string in = " WHERE project_id = " + id + " AND period = " + std::to_string(period);
      SCOPED_TRACE("period " + std::to_string(period));
      EXPECT_EQ(scalar("SELECT coalesce(sum(allowed + denied), 0) FROM activity_buckets" + in),
                events);
      EXPECT_EQ(scalar("SELECT coalesce(sum(events), 0) FROM agent_buckets" + in), events);
      EXPECT_EQ(scalar("SELECT coalesce(sum(requests), 0) FROM scope_buckets" + in), scoped);
      EXPECT_EQ(scalar("SELECT coalesce(sum(requests), 0) FROM scope_agent_buckets" + in), scoped);
    }
  }

  audit::ChainReport verify(const Project& project) {
    auto report = store_->audit->verify(project.rowid, store_->signing_key->public_key());
    EXPECT_TRUE(report.ok());
    return *report;
  }

  void set_retention(const Project& project, std::optional<std::int64_t> days) {
    ProjectChanges changes;
    changes.retention_days = days;
    auto updated = ProjectService(*store_->projects).update(project.id, changes);
    ASSERT_TRUE(updated.ok()) << updated.error().message;
    EXPECT_EQ(updated->retention_days, days);
  }

  TempStore store_;
  Project kept_;
  Project trimmed_;
  int next_id_ = 0;
};

TEST_F(RetentionTest, NoRetentionRemovesNothing) {
  auto pass = store_->retention->sweep(kNow);
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  EXPECT_EQ(pass->events_removed, 0);
  EXPECT_TRUE(pass->projects.empty());
  EXPECT_EQ(events_of(kept_), kDays * kEventsPerDay);
  EXPECT_EQ(events_of(trimmed_), kDays * kEventsPerDay);
  auto found = store_->projects->find_project(trimmed_.id);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->retention_days);
  EXPECT_EQ(found->data_since, (kToday - kDays + 1) * kMicrosPerDay + 3'600'000'000LL);
}

TEST_F(RetentionTest, KeepsTheLastDaysOfOneProjectOnly) {
  set_retention(trimmed_, 3);
  auto pass = store_->retention->sweep(kNow);
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  ASSERT_EQ(pass->projects.size(), 1u);
  const std::int64_t removed = (kDays - 3) * kEventsPerDay;
  EXPECT_EQ(pass->projects[0].project_id, trimmed_.id);
  EXPECT_EQ(pass->projects[0].cutoff_day, kToday - 2);
  EXPECT_EQ(pass->projects[0].events_removed, removed);
  EXPECT_EQ(pass->projects[0].chain_positions_removed, removed);
  EXPECT_EQ(pass->events_removed, removed);

  UnixMicros cutoff = (kToday - 2) * kMicrosPerDay;
  EXPECT_EQ(events_of(trimmed_), 3 * kEventsPerDay);
  EXPECT_EQ(events_of(trimmed_, "received_at < " + std::to_string(cutoff)), 0);
  EXPECT_EQ(events_of(kept_), kDays * kEventsPerDay);
  expect_aggregates_match_events(trimmed_);
  expect_aggregates_match_events(kept_);
  EXPECT_EQ(scalar("SELECT count(*) FROM agent_sessions WHERE project_id = " +
                   std::to_string(trimmed_.rowid) + " AND last_active < " + std::to_string(cutoff)),
            0);

  auto trimmed_report = verify(trimmed_);
  ASSERT_TRUE(trimmed_report.clean()) << trimmed_report.fault->detail;
  EXPECT_EQ(trimmed_report.positions_removed_by_retention, removed);
  EXPECT_EQ(trimmed_report.events_checked, 3 * kEventsPerDay);
  // The checkpoint below the horizon is checked for its signature, the last
  // one against the chain.
  EXPECT_EQ(trimmed_report.checkpoints_checked, 2);
  auto kept_report = verify(kept_);
  ASSERT_TRUE(kept_report.clean()) << kept_report.fault->detail;
  EXPECT_EQ(kept_report.positions_removed_by_retention, 0);
  EXPECT_EQ(kept_report.events_checked, kDays * kEventsPerDay);

  auto found = store_->projects->find_project(trimmed_.id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->retention_days, 3);
  EXPECT_EQ(found->data_since, cutoff);

  auto again = store_->retention->sweep(kNow);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->events_removed, 0);
  EXPECT_EQ(events_of(trimmed_), 3 * kEventsPerDay);

  // Ingestion goes on after the pass, and the chain with it.
  append(trimmed_, kNow, 4);
  ASSERT_TRUE(store_->events->write_checkpoints().ok());
  auto after = verify(trimmed_);
  ASSERT_TRUE(after.clean()) << after.fault->detail;
  EXPECT_EQ(after.events_checked, 3 * kEventsPerDay + 4);
  expect_aggregates_match_events(trimmed_);
}

TEST_F(RetentionTest, SettingNoRetentionAgainStopsRemoving) {
  set_retention(trimmed_, 3);
  set_retention(trimmed_, std::nullopt);
  auto pass = store_->retention->sweep(kNow);
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  EXPECT_EQ(pass->events_removed, 0);
  EXPECT_EQ(events_of(trimmed_), kDays * kEventsPerDay);
}

// Day partitions are PostgreSQL's: this suite runs only on a cluster.
class PostgresRetentionTest : public RetentionTest {};

TEST_F(PostgresRetentionTest, DropsPartitionsOlderThanEveryCutoff) {
  if (!store_.is_postgres())
    GTEST_SKIP() << "PostgreSQL only: set AGENTSUDO_TEST_POSTGRES_URL";
  set_retention(trimmed_, 3);
  set_retention(kept_, 5);
  const std::int64_t first_day = kToday - kDays + 1;
  const std::string oldest = postgres::event_partition_name(first_day);
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_class WHERE relname = '" + oldest + "'"), 1);
  auto pass = store_->retention->sweep(kNow);
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  // kept's cutoff (today - 4) is the earlier: the five days before it go whole.
  EXPECT_EQ(pass->partitions_dropped, 5);
  EXPECT_EQ(
      scalar("SELECT count(*) FROM event_partitions WHERE day < " + std::to_string(kToday - 4)), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_class WHERE relname = '" + oldest + "'"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM event_ids WHERE received_at < " +
                   std::to_string((kToday - 4) * kMicrosPerDay)),
            0);
  EXPECT_EQ(events_of(kept_), 5 * kEventsPerDay);
  EXPECT_EQ(events_of(trimmed_), 3 * kEventsPerDay);
  EXPECT_EQ(pass->events_removed, 5 * kEventsPerDay + 7 * kEventsPerDay);
  expect_aggregates_match_events(kept_);
  expect_aggregates_match_events(trimmed_);
  for (const Project* project : {&kept_, &trimmed_}) {
    auto report = verify(*project);
    ASSERT_TRUE(report.clean()) << report.fault->detail;
  }
  // A late event for a dropped day makes its partition again.
  // It is not a prefix of kept's chain, so the next pass leaves it (and its
  // partition) in place rather than cut the chain; only the empty partition
  // the writer made ahead for the day after goes.
  append(kept_, first_day * kMicrosPerDay + 5, 1);
  append(kept_, kNow, 2);
  EXPECT_EQ(events_of(kept_), 5 * kEventsPerDay + 3);
  auto next = store_->retention->sweep(kNow);
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->partitions_dropped, 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_class WHERE relname = '" + oldest + "'"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_class WHERE relname = '" +
                   postgres::event_partition_name(first_day + 1) + "'"),
            0);
  EXPECT_EQ(events_of(kept_), 5 * kEventsPerDay + 3);
  auto report = verify(kept_);
  ASSERT_TRUE(report.clean()) << report.fault->detail;
}

TEST_F(PostgresRetentionTest, AProjectKeepingEverythingHoldsOnlyTheDaysItHasEventsIn) {
  if (!store_.is_postgres())
    GTEST_SKIP() << "PostgreSQL only: set AGENTSUDO_TEST_POSTGRES_URL";
  // A third project keeps everything and has one event on an old day, and
  // today's: that day's partition stays (with its event and its id), the
  // other old days go whole.
  auto keeper = ProjectService(*store_->projects).create("keeper", Tier{"free", 100000});
  ASSERT_TRUE(keeper.ok());
  const std::int64_t held_day = kToday - 7;
  append(keeper->project, held_day * kMicrosPerDay + 5, 1);
  append(keeper->project, kNow, 1);
  set_retention(trimmed_, 3);
  set_retention(kept_, 5);
  auto pass = store_->retention->sweep(kNow);
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  EXPECT_EQ(pass->partitions_dropped, 4);
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_class WHERE relname = '" +
                   postgres::event_partition_name(held_day) + "'"),
            1);
  EXPECT_EQ(events_of(keeper->project), 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM event_ids WHERE project_id = " +
                   std::to_string(keeper->project.rowid)),
            2);
  // The held day's rows of the other two projects went one by one.
  EXPECT_EQ(events_of(kept_), 5 * kEventsPerDay);
  EXPECT_EQ(events_of(trimmed_), 3 * kEventsPerDay);
  EXPECT_EQ(scalar("SELECT count(*) FROM event_ids WHERE project_id <> " +
                   std::to_string(keeper->project.rowid) + " AND received_at < " +
                   std::to_string((kToday - 4) * kMicrosPerDay)),
            0);
  for (const Project* project : {&kept_, &trimmed_, &keeper->project}) {
    auto report = verify(*project);
    ASSERT_TRUE(report.clean()) << report.fault->detail;
  }
}

}  // namespace
}  // namespace agentsudo::server
