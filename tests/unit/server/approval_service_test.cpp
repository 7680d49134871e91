// ApprovalService on a real SQLite file, with a clock the test moves: the
// windows and expiries that an integration test cannot wait for.
#include "server/service/approval_service.hpp"

#include <gtest/gtest.h>

#include "core/uuid.hpp"
#include "server/service/project_service.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

constexpr UnixMicros kStart = 1'800'000'000 * kMicrosPerSecond;
constexpr UnixMicros kMinute = 60 * kMicrosPerSecond;

class ApprovalServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    auto created = ProjectService(*store_->projects).create("p", Tier{"free", 1000});
    ASSERT_TRUE(created.ok());
    project_ = created->project.rowid;
  }

  DeniedCall call() const {
    return {project_, "Refunder", "write:refunds", "refund", "no scope", 1};
  }

  // A new pending request; returns it and its nonce.
  std::pair<Approval, std::string> ask(std::int64_t ttl_seconds = 300) {
    CheckApprovalOptions options;
    options.request_on_denial = true;
    options.ttl_seconds = ttl_seconds;
    auto asked = approvals_.resolve_denial(call(), options);
    EXPECT_TRUE(asked.ok());
    EXPECT_EQ(asked->kind, DenialResolution::Kind::kRequested);
    return {*asked->approval, asked->nonce};
  }

  DenialResolution redeem(const Approval& approval, const std::string& nonce) {
    CheckApprovalOptions options;
    options.claim = ApprovalClaim{approval.id, nonce};
    auto redeemed = approvals_.resolve_denial(call(), options);
    EXPECT_TRUE(redeemed.ok());
    return *redeemed;
  }

  TempStore store_;
  ManualClock clock_{kStart};
  std::vector<std::pair<std::string, ApprovalStatus>> heard_;
  ApprovalService approvals_{*store_->approvals, clock_, [this](const Approval& approval) {
                               heard_.emplace_back(approval.id, approval.status);
                             }};
  const ChangeAuthor ann_{"ann@example.com"};
  std::int64_t project_ = 0;
};

TEST_F(ApprovalServiceTest, AOnceApprovalIsRedeemableForFiveMinutesOnly) {
  auto [late, late_nonce] = ask();
  auto [timely, timely_nonce] = ask();
  ASSERT_TRUE(approvals_.approve(project_, late.id, ann_, "", std::nullopt).ok());
  ASSERT_TRUE(approvals_.approve(project_, timely.id, ann_, "", std::nullopt).ok());
  clock_.advance(5 * kMinute);
  EXPECT_EQ(redeem(timely, timely_nonce).kind, DenialResolution::Kind::kAllowed);
  clock_.advance(1);
  auto refused = redeem(late, late_nonce);
  EXPECT_EQ(refused.kind, DenialResolution::Kind::kRefused);
  EXPECT_NE(refused.reason.find("5 minutes"), std::string::npos) << refused.reason;
}

TEST_F(ApprovalServiceTest, AGrantLastsItsMinutes) {
  auto [approval, nonce] = ask();
  auto granted = approvals_.approve(project_, approval.id, ann_, "", 10);
  ASSERT_TRUE(granted.ok());
  EXPECT_EQ(granted->grant_until, kStart + 10 * kMinute);
  CheckApprovalOptions options;
  options.request_on_denial = true;
  clock_.advance(10 * kMinute - 1);
  EXPECT_EQ(approvals_.resolve_denial(call(), options)->kind, DenialResolution::Kind::kAllowed);
  clock_.advance(1);
  EXPECT_EQ(approvals_.resolve_denial(call(), options)->kind, DenialResolution::Kind::kRequested);
}

TEST_F(ApprovalServiceTest, ExpiryIsReadAtOnceAndWrittenBySweeping) {
  auto [approval, nonce] = ask(60);
  EXPECT_EQ(approvals_.next_expiry()->value_or(0), kStart + kMinute);
  clock_.advance(kMinute);
  EXPECT_EQ(approvals_.get(project_, approval.id)->status, ApprovalStatus::kExpired);
  auto late = approvals_.deny(project_, approval.id, ann_, "");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(late.error().message,
            "approval " + approval.id + " expired at " + format_rfc3339(kStart + kMinute));
  EXPECT_EQ(*approvals_.expire_due(), 1u);
  EXPECT_EQ(*approvals_.expire_due(), 0u);
  EXPECT_FALSE(approvals_.next_expiry()->has_value());
  ASSERT_EQ(heard_.size(), 2u);
  EXPECT_EQ(heard_.back(), std::make_pair(approval.id, ApprovalStatus::kExpired));
}

TEST_F(ApprovalServiceTest, ADecisionIsHeardOnceAndAnotherProjectCannotMakeIt) {
  auto [approval, nonce] = ask();
  auto theirs = ProjectService(*store_->projects).create("q", Tier{"free", 1000});
  ASSERT_TRUE(theirs.ok());
  auto foreign = approvals_.approve(theirs->project.rowid, approval.id, ann_, "", std::nullopt);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().kind, ErrorKind::kNotFound);
  ASSERT_TRUE(approvals_.deny(project_, approval.id, ann_, "no").ok());
  EXPECT_FALSE(approvals_.approve(project_, approval.id, ann_, "", std::nullopt).ok());
  ASSERT_EQ(heard_.size(), 2u);  // the request and the one decision
  EXPECT_EQ(heard_.back().second, ApprovalStatus::kDenied);
}

// Requests cost no quota, so the store bounds how many one project may have
// waiting; an expired one no longer counts.
TEST_F(ApprovalServiceTest, AProjectHoldsAtMostItsLimitOfWaitingRequests) {
  auto request = [&](UnixMicros ttl) {
    ApprovalRequestRecord record;
    record.approval.id = make_uuid_v7(clock_.now() / 1000);
    record.approval.project_rowid = project_;
    record.approval.agent_name = "Refunder";
    record.approval.scope = "write:refunds";
    record.approval.requested_at = clock_.now();
    record.approval.expires_at = clock_.now() + ttl;
    record.max_pending = 2;
    return store_->approvals->create(record);
  };
  ASSERT_TRUE(request(kMinute).ok());
  ASSERT_TRUE(request(10 * kMinute).ok());
  auto refused = request(kMinute);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::kRateLimited);
  EXPECT_NE(refused.error().message.find("2 approval requests waiting"), std::string::npos);
  clock_.advance(2 * kMinute);
  EXPECT_TRUE(request(kMinute).ok());
}

}  // namespace
}  // namespace agentsudo::server
