// Two stores on one database, as two server nodes (or a node and the CLI)
// share it: each request is decided once, a once-approval spent once, an
// expired request swept once, and a project's limit of pending requests
// holds for both together. Runs on SQLite and, in ctest, on PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <latch>
#include <set>
#include <thread>

#include "another_node.hpp"
#include "core/uuid.hpp"
#include "server/service/project_service.hpp"

namespace agentsudo::server {
namespace {

constexpr UnixMicros kNow = 1'800'000'000 * kMicrosPerSecond;
constexpr UnixMicros kMinute = 60 * kMicrosPerSecond;
constexpr int kRacers = 8;

class ApprovalStoreNodesTest : public testing::Test {
 protected:
  void SetUp() override {
    auto created = ProjectService(*store_->projects).create("p", Tier{"free", 1000});
    ASSERT_TRUE(created.ok());
    project_ = created->project.rowid;
    auto other = open_another_node(store_);
    ASSERT_TRUE(other.ok()) << other.error().message;
    other_ = std::move(*other);
  }

  // Node 0 is the test's store, node 1 the other one.
  ApprovalStore& node(int i) { return i % 2 == 0 ? *store_->approvals : *other_.approvals; }

  ApprovalRequestRecord request(UnixMicros requested_at, UnixMicros expires_at,
                                std::int64_t max_pending = 100) const {
    ApprovalRequestRecord record;
    Approval& approval = record.approval;
    approval.id = make_uuid_v7(requested_at / 1000);
    approval.project_rowid = project_;
    approval.agent_name = "Refunder";
    approval.scope = "write:refunds";
    approval.function_name = "refund";
    approval.args_digest = "ab";
    approval.denial_reason = "no scope";
    approval.requested_at = requested_at;
    approval.expires_at = expires_at;
    record.nonce_digest.fill(7);
    record.max_pending = max_pending;
    return record;
  }

  Approval pending() {
    auto created = node(0).create(request(kNow, kNow + 5 * kMinute));
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created->approval;
  }

  // Runs `body(i)` for i in [0, kRacers) on as many threads, all at once.
  static void race(const std::function<void(int)>& body) {
    std::latch start(kRacers);
    std::vector<std::thread> threads;
    for (int i = 0; i < kRacers; ++i) {
      threads.emplace_back([&start, &body, i] {
        start.arrive_and_wait();
        body(i);
      });
    }
    for (auto& thread : threads)
      thread.join();
  }

  TempStore store_;
  StoreSet other_;
  std::int64_t project_ = 0;
};

TEST_F(ApprovalStoreNodesTest, ARequestIsDecidedOnceAndTheOthersAreToldWhoWon) {
  Approval approval = pending();
  std::atomic<int> decided = 0;
  std::atomic<int> conflicts = 0;
  race([&](int i) {
    ApprovalDecision decision{
        i % 3 != 0, "racer" + std::to_string(i), "", kNow + kMinute, std::nullopt, std::nullopt};
    auto result = node(i).decide(project_, approval.id, decision);
    if (result.ok())
      ++decided;
    else if (result.error().kind == ErrorKind::kConflict &&
             result.error().message.find("was already") != std::string::npos)
      ++conflicts;
  });
  EXPECT_EQ(decided, 1);
  EXPECT_EQ(conflicts, kRacers - 1);
  auto settled = node(1).find(project_, approval.id);
  ASSERT_TRUE(settled.ok());
  EXPECT_NE(settled->status, ApprovalStatus::kPending);
  EXPECT_EQ(settled->decided_by.rfind("racer", 0), 0u) << settled->decided_by;
}

TEST_F(ApprovalStoreNodesTest, AOnceApprovalIsSpentOnce) {
  Approval approval = pending();
  ASSERT_TRUE(node(1)
                  .decide(project_, approval.id,
                          {true, "ann", "", kNow + kMinute, std::nullopt, std::nullopt})
                  .ok());
  ApprovalBinding binding{"Refunder", "write:refunds", "refund", "ab"};
  std::atomic<int> spent = 0;
  std::atomic<int> refused = 0;
  race([&](int i) {
    auto result = node(i).redeem(project_, approval.id, binding, kNow, kNow + 2 * kMinute);
    ASSERT_TRUE(result.ok()) << result.error().message;
    if (*result)
      ++spent;
    else
      ++refused;
  });
  EXPECT_EQ(spent, 1);
  EXPECT_EQ(refused, kRacers - 1);
}

TEST_F(ApprovalStoreNodesTest, ExpiredRequestsAreSweptOnceBetweenTheNodes) {
  std::set<std::string> asked;
  for (int i = 0; i < 20; ++i) {
    auto created = node(i).create(request(kNow + i, kNow + kMinute + i));
    ASSERT_TRUE(created.ok()) << created.error().message;
    asked.insert(created->approval.id);
  }
  std::mutex mutex;
  std::vector<std::string> swept;
  race([&](int i) {
    // Small batches, so that the sweepers take turns over the same rows.
    for (;;) {
      auto expired = node(i).expire_due(kNow + 2 * kMinute, 3);
      ASSERT_TRUE(expired.ok()) << expired.error().message;
      if (expired->empty())
        return;
      std::lock_guard lock(mutex);
      for (const auto& approval : *expired) {
        EXPECT_EQ(approval.status, ApprovalStatus::kExpired);
        swept.push_back(approval.id);
      }
    }
  });
  std::sort(swept.begin(), swept.end());
  EXPECT_EQ(std::vector<std::string>(asked.begin(), asked.end()), swept);
  EXPECT_FALSE(*node(1).earliest_pending_expiry());
}

TEST_F(ApprovalStoreNodesTest, TheLimitOfPendingRequestsHoldsForBothNodesTogether) {
  constexpr std::int64_t kLimit = 3;
  std::atomic<int> created = 0;
  std::atomic<int> limited = 0;
  race([&](int i) {
    auto result = node(i).create(request(kNow + i, kNow + kMinute, kLimit));
    if (result.ok())
      ++created;
    else if (result.error().kind == ErrorKind::kRateLimited)
      ++limited;
  });
  EXPECT_EQ(created, kLimit);
  EXPECT_EQ(limited, kRacers - kLimit);
  ApprovalListQuery query;
  query.project_rowid = project_;
  query.status = ApprovalStatus::kPending;
  query.now = kNow + kRacers;
  EXPECT_EQ(node(1).list(query)->size(), static_cast<std::size_t>(kLimit));
}

}  // namespace
}  // namespace agentsudo::server
