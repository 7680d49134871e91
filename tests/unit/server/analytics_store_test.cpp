// The analytics aggregates through the store's interfaces: written with the
// events in one transaction, read back without touching the events.

#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>

#include "server/auth/secret.hpp"
#include "server/service/project_service.hpp"
#include "server/store/sqlite/database.hpp"
#include "server/store/sqlite/sqlite_store.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

constexpr UnixMicros kHour = 3600 * kMicrosPerSecond;
constexpr UnixMicros kDayStart = 20'000 * kMicrosPerDay;

class AnalyticsStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    auto created = ProjectService(*store_->projects).create("test", Tier{"pro", 100'000});
    ASSERT_TRUE(created.ok());
    project_ = created->project;
    key_ = created->key;
  }

  void add(EventBatch& batch, const std::string& agent, std::optional<std::string> scope,
           bool allowed, UnixMicros at, std::optional<std::string> session = std::nullopt) {
    Event event;
    event.agent_name = agent;
    event.action = allowed ? "permission_check" : "permission_denied";
    event.allowed = allowed;
    event.scope = std::move(scope);
    event.timestamp = at;
    event.session_id = std::move(session);
    batch.events.push_back(event);
    batch.event_ids.push_back("id-" + std::to_string(next_id_++));
  }

  EventBatch new_batch(std::int64_t project_rowid = 0) {
    EventBatch batch;
    batch.project_rowid = project_rowid != 0 ? project_rowid : project_.rowid;
    batch.received_at = kDayStart + 12 * kHour;
    return batch;
  }

  Status append(std::vector<EventBatch*> batches) {
    std::vector<CommittedBatch> committed(batches.size());
    return store_->events->append(batches, committed);
  }

  AnalyticsWindow days(std::int64_t first, std::int64_t last) {
    return AnalyticsWindow{project_.rowid, Period::kDay, first, last};
  }

  TempStore store_;
  // One integer column of one row, read straight from the database.
  std::optional<std::int64_t> column(const std::string& sql) {
    if (store_.is_postgres()) {
      auto rows = postgres::Connection::open(store_.database_url())->exec(sql);
      return rows.empty() ? std::nullopt : rows.optional_int64(0, 0);
    }
    auto db = sqlite::Database::open(store_.dir() / "agentsudo.db");
    auto row = db->prepare_cached(sql);
    if (!row->step() || row->column_is_null(0))
      return std::nullopt;
    return row->column_int64(0);
  }

  Project project_;
  IssuedApiKey key_;
  int next_id_ = 0;
};

TEST_F(AnalyticsStoreTest, ReportMatchesWhatWasAppended) {
  std::int64_t day = utc_day(kDayStart);
  EventBatch first = new_batch();
  add(first, "Alpha", "read:orders", true, kDayStart + kHour, "s1");
  add(first, "Alpha", "read:orders", false, kDayStart + kHour + 5, "s1");
  add(first, "Beta", "read:orders", true, kDayStart + 2 * kHour, "s2");
  EventBatch second = new_batch();
  add(second, "Beta", "write:orders", false, kDayStart + kMicrosPerDay + kHour);
  add(second, "Alpha", std::nullopt, true, kDayStart + kMicrosPerDay + 2 * kHour, "s1");
  ASSERT_TRUE(append({&first}).ok());
  ASSERT_TRUE(append({&second}).ok());

  auto report = store_->analytics->activity(days(day, day + 1), 100);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->series.size(), 2u);
  EXPECT_EQ(report->series[0].bucket, day);
  EXPECT_EQ(report->series[0].allowed, 2);
  EXPECT_EQ(report->series[0].denied, 1);
  EXPECT_EQ(report->series[1].allowed, 1);
  EXPECT_EQ(report->series[1].denied, 1);
  EXPECT_EQ(report->agents, 2);
  // s1, s2 and Beta's implicit session on the second day.
  EXPECT_EQ(report->sessions, 3);

  ASSERT_EQ(report->top_agents.size(), 2u);
  EXPECT_EQ(report->top_agents[0].agent_name, "Alpha");
  EXPECT_EQ(report->top_agents[0].events, 3);
  EXPECT_EQ(report->top_agents[0].denials, 1);
  EXPECT_EQ(report->top_agents[0].last_active, kDayStart + kMicrosPerDay + 2 * kHour);
  ASSERT_EQ(report->top_scopes.size(), 2u);
  EXPECT_EQ(report->top_scopes[0].scope, "read:orders");
  EXPECT_EQ(report->top_scopes[0].requests, 3);
  EXPECT_EQ(report->top_scopes[0].denials, 1);
  EXPECT_EQ(report->top_scopes[0].agents, 2);
  EXPECT_EQ(report->top_scopes[1].agents, 1);

  // The first day alone, and by the hour.
  auto one_day = store_->analytics->activity(days(day, day), 100);
  ASSERT_TRUE(one_day.ok());
  EXPECT_EQ(one_day->agents, 2);
  EXPECT_EQ(one_day->sessions, 2);
  std::int64_t hour = bucket_of(Period::kHour, kDayStart);
  auto hours = store_->analytics->activity(
      AnalyticsWindow{project_.rowid, Period::kHour, hour, hour + 23}, 100);
  ASSERT_TRUE(hours.ok());
  ASSERT_EQ(hours->series.size(), 2u);
  EXPECT_EQ(hours->series[0].bucket, hour + 1);
  EXPECT_EQ(hours->series[1].bucket, hour + 2);

  auto scopes = store_->analytics->scopes_seen(project_.rowid, 100);
  ASSERT_TRUE(scopes.ok());
  EXPECT_EQ(*scopes, (std::vector<std::string>{"read:orders", "write:orders"}));
}

TEST_F(AnalyticsStoreTest, AFailedCommitLeavesTheAggregatesUnchanged) {
  std::int64_t day = utc_day(kDayStart);
  EventBatch good = new_batch();
  add(good, "Alpha", "read:orders", true, kDayStart + kHour, "s1");
  ASSERT_TRUE(append({&good}).ok());
  auto before = store_->analytics->activity(days(day, day), 100);
  ASSERT_TRUE(before.ok());

  // The second batch names a project that does not exist: the whole commit
  // (the valid first batch too) must roll back.
  EventBatch valid = new_batch();
  add(valid, "Gamma", "write:orders", false, kDayStart + 3 * kHour, "s9");
  EventBatch invalid = new_batch(project_.rowid + 1000);
  add(invalid, "Delta", "read:orders", true, kDayStart + 3 * kHour);
  EXPECT_FALSE(append({&valid, &invalid}).ok());

  auto after = store_->analytics->activity(days(day, day), 100);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->series.size(), 1u);
  EXPECT_EQ(after->series[0].allowed, 1);
  EXPECT_EQ(after->series[0].denied, 0);
  EXPECT_EQ(after->agents, 1);
  EXPECT_EQ(after->sessions, 1);
  ASSERT_EQ(after->top_scopes.size(), 1u);
  EXPECT_EQ(after->top_scopes[0].requests, 1);
  auto scopes = store_->analytics->scopes_seen(project_.rowid, 100);
  ASSERT_TRUE(scopes.ok());
  EXPECT_EQ(*scopes, (std::vector<std::string>{"read:orders"}));

  // The writer is still good for the next commit, with the same agent cache.
  EventBatch retry = new_batch();
  add(retry, "Gamma", "write:orders", false, kDayStart + 3 * kHour, "s9");
  ASSERT_TRUE(append({&retry}).ok());
  auto last = store_->analytics->activity(days(day, day), 100);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->agents, 2);
  EXPECT_EQ(last->series[0].denied, 1);
}

TEST_F(AnalyticsStoreTest, ReceivedPerDayIsTheQuotaCount) {
  EventBatch batch = new_batch();
  add(batch, "Alpha", "read:orders", true, 5);  // an old client timestamp
  add(batch, "Alpha", "read:orders", true, 6);
  ASSERT_TRUE(append({&batch}).ok());
  std::int64_t day = utc_day(batch.received_at);
  auto days = store_->analytics->received_per_day(project_.rowid, day - 29, day);
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ((*days)[0].day, day);
  EXPECT_EQ((*days)[0].events, 2);
}

TEST_F(AnalyticsStoreTest, TailReadsAfterAPositionOldestFirst) {
  EventBatch batch = new_batch();
  for (int i = 0; i < 5; ++i)
    add(batch, "Alpha", "read:orders", true, kDayStart + i);
  ASSERT_TRUE(append({&batch}).ok());
  auto last = store_->events->last_seq(project_.rowid);
  ASSERT_TRUE(last.ok());
  auto tail = store_->events->tail(TailQuery{project_.rowid, *last - 3, 2});
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ((*tail)[0].seq, *last - 2);
  EXPECT_EQ((*tail)[1].seq, *last - 1);
  auto none = store_->events->last_seq(project_.rowid + 1000);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
}

TEST_F(AnalyticsStoreTest, LastSeenAndLastUsedAreKeptToTheMinute) {
  constexpr UnixMicros kMinute = 60 * kMicrosPerSecond;
  auto owner = store_->projects->find_key_owner(digest_secret(key_.plaintext));
  ASSERT_TRUE(owner.ok());
  UnixMicros start = kDayStart + 10 * kMinute;
  auto send_at = [&](UnixMicros received) {
    EventBatch batch = new_batch();
    batch.api_key_rowid = owner->key_rowid;
    batch.received_at = received;
    add(batch, "Alpha", "read:orders", true, received);
    ASSERT_TRUE(append({&batch}).ok());
  };
  const std::string agent_sql = "SELECT last_seen_at FROM agents WHERE name = 'Alpha'";
  const std::string key_sql =
      "SELECT last_used_at FROM api_keys WHERE uuid = '" + key_.record.id + "'";
  EXPECT_EQ(column(key_sql), std::nullopt);

  send_at(start + 5 * kMicrosPerSecond);
  EXPECT_EQ(column(agent_sql), start);
  EXPECT_EQ(column(key_sql), start);
  // Within the same minute nothing is written again.
  send_at(start + 50 * kMicrosPerSecond);
  EXPECT_EQ(column(agent_sql), start);
  EXPECT_EQ(column(key_sql), start);
  send_at(start + kMinute + 1);
  EXPECT_EQ(column(agent_sql), start + kMinute);
  EXPECT_EQ(column(key_sql), start + kMinute);
}

}  // namespace
}  // namespace agentsudo::server
