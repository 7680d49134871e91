// The Ingestor on a real SQLite store: quota taken before the write and given
// back when the write fails, ids minted, a request's events stored whole or
// not at all, and the quota day following the injected clock.

#include "server/ingest/ingestor.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../temp_store.hpp"
#include "core/uuid.hpp"
#include "server/auth/secret.hpp"
#include "server/service/project_service.hpp"

namespace agentsudo::server {
namespace {

namespace asio = boost::asio;

constexpr std::int64_t kDay = 20'000;
constexpr UnixMicros kNoon = kDay * kMicrosPerDay + 12 * 3600 * kMicrosPerSecond;

// What serve_command wires together, minus HTTP: one counter seeded from the
// store, one commit queue, one Ingestor. Rebuilt on the same store to play a
// restart.
struct IngestStack {
  IngestStack(StoreSet& store, const Clock& clock)
      : quota([&store](std::int64_t project, std::int64_t day) {
          return store.projects->events_on_day(project, day);
        }),
        commits(*store.events, metrics),
        ingestor(quota, commits, clock, metrics) {}

  Metrics metrics;
  QuotaCounter quota;
  CommitQueue commits;
  Ingestor ingestor;
};

class IngestorTest : public testing::Test {
 protected:
  void SetUp() override {
    auto created = ProjectService(*store_->projects).create("test", Tier{"free", 1000});
    ASSERT_TRUE(created.ok()) << created.error().message;
    project_ = created->project;
    auto owner = store_->projects->find_key_owner(digest_secret(created->key.plaintext));
    ASSERT_TRUE(owner.ok()) << owner.error().message;
    owner_ = *owner;
    stack_ = std::make_unique<IngestStack>(*store_, clock_);
  }

  KeyOwner owner_with_quota(std::int64_t daily_quota) const {
    KeyOwner owner = owner_;
    owner.daily_quota = daily_quota;
    return owner;
  }

  IngestOutcome ingest(const KeyOwner& owner, std::vector<Event> events) {
    asio::io_context io;
    auto outcome =
        asio::co_spawn(io, stack_->ingestor.ingest(owner, std::move(events)), asio::use_future);
    io.run();
    return outcome.get();
  }

  static std::vector<Event> events(std::vector<std::string> agents) {
    std::vector<Event> out;
    for (auto& agent : agents) {
      Event event;
      event.agent_name = std::move(agent);
      event.action = "permission_check";
      event.allowed = true;
      out.push_back(std::move(event));
    }
    return out;
  }

  std::vector<StoredEvent> stored() {
    EventQuery query;
    query.project_rowid = project_.rowid;
    query.limit = 1000;
    auto found = store_->events->query(query);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() ? *found : std::vector<StoredEvent>();
  }

  std::int64_t usage_on(std::int64_t day) {
    auto used = store_->projects->events_on_day(project_.rowid, day);
    EXPECT_TRUE(used.ok()) << used.error().message;
    return used.ok() ? *used : -1;
  }

  TempStore store_;
  ManualClock clock_{kNoon};
  Project project_;
  KeyOwner owner_;
  std::unique_ptr<IngestStack> stack_;
};

TEST_F(IngestorTest, StoresEveryEventWithItsOwnIdAndTheReceiptTime) {
  IngestOutcome outcome = ingest(owner_, events({"bot", "other", "bot"}));
  ASSERT_FALSE(outcome.error) << outcome.error->message;
  ASSERT_TRUE(outcome.quota);
  EXPECT_TRUE(outcome.quota->granted);
  EXPECT_EQ(outcome.quota->remaining, 1000 - 3);

  const auto& ids = outcome.batch.event_ids;
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 3u);
  for (const auto& id : ids) {
    EXPECT_TRUE(is_canonical_uuid(id)) << id;
    EXPECT_EQ(id[14], '7') << "not a version 7 UUID: " << id;
  }
  EXPECT_EQ(outcome.batch.received_at, kNoon);
  EXPECT_EQ(outcome.batch.project_rowid, owner_.project_rowid);
  EXPECT_EQ(outcome.batch.api_key_rowid, owner_.key_rowid);
  ASSERT_EQ(outcome.committed.agent_ids.size(), 3u);
  EXPECT_EQ(outcome.committed.agent_ids[0], outcome.committed.agent_ids[2]);
  EXPECT_NE(outcome.committed.agent_ids[0], outcome.committed.agent_ids[1]);

  auto rows = stored();
  ASSERT_EQ(rows.size(), 3u);
  std::set<std::string> stored_ids;
  for (const auto& row : rows) {
    stored_ids.insert(row.id);
    EXPECT_EQ(row.received_at, kNoon);
    EXPECT_EQ(row.timestamp, kNoon) << "no client timestamp: the receipt time stands in";
  }
  EXPECT_EQ(stored_ids, std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_EQ(usage_on(kDay), 3);
  EXPECT_EQ(stack_->metrics.events_stored.value(), 3u);
}

TEST_F(IngestorTest, IdsOfLaterRequestsSortAfterEarlierOnes) {
  IngestOutcome first = ingest(owner_, events({"a"}));
  clock_.advance(kMicrosPerSecond);
  IngestOutcome second = ingest(owner_, events({"a"}));
  ASSERT_FALSE(first.error);
  ASSERT_FALSE(second.error);
  EXPECT_LT(first.batch.event_ids[0], second.batch.event_ids[0]);
}

TEST_F(IngestorTest, KeepsTheClientsTimestampBesideTheReceiptTime) {
  auto batch = events({"a"});
  batch[0].timestamp = kNoon - 3600 * kMicrosPerSecond;
  ASSERT_FALSE(ingest(owner_, std::move(batch)).error);
  auto rows = stored();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].timestamp, kNoon - 3600 * kMicrosPerSecond);
  EXPECT_EQ(rows[0].received_at, kNoon);
}

TEST_F(IngestorTest, ABatchThatDoesNotFitIsRefusedWholeAndStoresNothing) {
  KeyOwner owner = owner_with_quota(5);
  ASSERT_FALSE(ingest(owner, events({"a", "b", "c"})).error);

  IngestOutcome refused = ingest(owner, events({"a", "b", "c"}));
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->kind, ErrorKind::kRateLimited);
  ASSERT_TRUE(refused.quota);
  EXPECT_FALSE(refused.quota->granted);
  EXPECT_EQ(refused.quota->remaining, 2);
  EXPECT_EQ(refused.quota->limit, 5);
  EXPECT_EQ(refused.quota->resets_at, (kDay + 1) * kMicrosPerDay);
  EXPECT_TRUE(refused.batch.event_ids.empty()) << "no id is minted for a refused request";
  EXPECT_EQ(stored().size(), 3u);
  EXPECT_EQ(usage_on(kDay), 3);
  EXPECT_EQ(stack_->metrics.quota_rejections.value(), 1u);

  IngestOutcome rest = ingest(owner, events({"a", "b"}));
  ASSERT_FALSE(rest.error) << rest.error->message;
  EXPECT_EQ(rest.quota->remaining, 0);
  EXPECT_TRUE(ingest(owner, events({"a"})).error);
  EXPECT_EQ(stored().size(), 5u);
}

TEST_F(IngestorTest, QuotaStatusUsesNoQuota) {
  KeyOwner owner = owner_with_quota(4);
  for (int i = 0; i < 3; ++i) {
    auto status = stack_->ingestor.quota_status(owner);
    ASSERT_TRUE(status.ok()) << status.error().message;
    EXPECT_EQ(status->remaining, 4);
  }
  ASSERT_FALSE(ingest(owner, events({"a", "b", "c", "d"})).error);
  EXPECT_EQ(stack_->ingestor.quota_status(owner)->remaining, 0);
}

TEST_F(IngestorTest, QuotaFollowsTheInjectedClockAcrossUtcMidnight) {
  KeyOwner owner = owner_with_quota(2);
  clock_.set((kDay + 1) * kMicrosPerDay - 1);  // a microsecond before midnight
  IngestOutcome late = ingest(owner, events({"a", "b"}));
  ASSERT_FALSE(late.error) << late.error->message;
  EXPECT_EQ(late.quota->day, kDay);
  EXPECT_EQ(late.quota->resets_at, (kDay + 1) * kMicrosPerDay);
  EXPECT_TRUE(ingest(owner, events({"a"})).error);

  clock_.advance(1);  // midnight: a new day with its whole quota
  IngestOutcome next_day = ingest(owner, events({"a"}));
  ASSERT_FALSE(next_day.error) << next_day.error->message;
  EXPECT_EQ(next_day.quota->day, kDay + 1);
  EXPECT_EQ(next_day.quota->remaining, 1);
  EXPECT_EQ(next_day.quota->resets_at, (kDay + 2) * kMicrosPerDay);
  EXPECT_EQ(usage_on(kDay), 2);
  EXPECT_EQ(usage_on(kDay + 1), 1);
}

// The counter lives in memory; after a restart it starts from what the
// store counted in the same transactions as the events.
TEST_F(IngestorTest, QuotaUsedBeforeARestartStaysUsed) {
  KeyOwner owner = owner_with_quota(5);
  ASSERT_FALSE(ingest(owner, events({"a", "b", "c", "d"})).error);
  stack_.reset();
  stack_ = std::make_unique<IngestStack>(*store_, clock_);

  EXPECT_EQ(stack_->ingestor.quota_status(owner)->remaining, 1);
  EXPECT_TRUE(ingest(owner, events({"a", "b"})).error);
  EXPECT_FALSE(ingest(owner, events({"a"})).error);
  EXPECT_EQ(usage_on(kDay), 5);
}

// A project that no longer exists makes the write fail (its rows would break
// a foreign key): nothing is stored and the reservation is given back.
TEST_F(IngestorTest, AFailedCommitStoresNothingAndReleasesTheReservation) {
  KeyOwner gone = owner_with_quota(5);
  gone.project_rowid = project_.rowid + 1000;
  IngestOutcome failed = ingest(gone, events({"a", "b", "c"}));
  ASSERT_TRUE(failed.error);
  EXPECT_NE(failed.error->kind, ErrorKind::kRateLimited);
  ASSERT_TRUE(failed.quota);
  EXPECT_TRUE(failed.quota->granted);
  EXPECT_EQ(stack_->ingestor.quota_status(gone)->remaining, 5);
  EXPECT_EQ(stack_->metrics.events_stored.value(), 0u);
  EXPECT_TRUE(stored().empty());

  // The writer goes on: the next request of a real project is stored.
  IngestOutcome next = ingest(owner_, events({"a"}));
  ASSERT_FALSE(next.error) << next.error->message;
  EXPECT_EQ(stored().size(), 1u);
  EXPECT_EQ(usage_on(kDay), 1);
}

TEST_F(IngestorTest, AnEmptyRequestStoresNothingAndUsesNoQuota) {
  KeyOwner owner = owner_with_quota(3);
  IngestOutcome outcome = ingest(owner, {});
  ASSERT_FALSE(outcome.error) << outcome.error->message;
  EXPECT_TRUE(outcome.batch.event_ids.empty());
  EXPECT_TRUE(outcome.committed.agent_ids.empty());
  EXPECT_TRUE(stored().empty());
  EXPECT_EQ(stack_->ingestor.quota_status(owner)->remaining, 3);
}

}  // namespace
}  // namespace agentsudo::server

namespace agentsudo::server {
namespace {

// Two nodes on one store: each node's counter knows only its own requests,
// so the second node's counter lets a batch through that the day no longer
// has room for; the store's check at commit refuses it whole.
TEST_F(IngestorTest, TheStoreRefusesABatchAnotherNodeLeftNoRoomFor) {
  auto other_store = store_.open_another_node();
  ASSERT_TRUE(other_store.ok()) << other_store.error().message;
  IngestStack other_node(*other_store, clock_);
  KeyOwner owner = owner_with_quota(5);
  ASSERT_TRUE(other_node.ingestor.quota_status(owner).ok());  // loads 0 for today

  IngestOutcome first = ingest(owner, events({"a", "b", "c"}));
  ASSERT_FALSE(first.error) << first.error->message;

  asio::io_context io;
  auto pending = asio::co_spawn(io, other_node.ingestor.ingest(owner, events({"d", "e", "f"})),
                                asio::use_future);
  io.run();
  IngestOutcome second = pending.get();
  ASSERT_TRUE(second.error);
  EXPECT_EQ(second.error->kind, ErrorKind::kRateLimited);
  ASSERT_TRUE(second.quota);
  EXPECT_FALSE(second.quota->granted);
  EXPECT_EQ(second.quota->remaining, 2);
  EXPECT_EQ(stored().size(), 3u);
  EXPECT_EQ(usage_on(kDay), 3);

  IngestOutcome fits = ingest(owner, events({"g", "h"}));
  ASSERT_FALSE(fits.error) << fits.error->message;
  EXPECT_EQ(fits.quota->remaining, 0);
  EXPECT_EQ(usage_on(kDay), 5);
}

}  // namespace
}  // namespace agentsudo::server
