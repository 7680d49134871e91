// ActivityTally: what one group commit adds to the aggregates, in memory.

#include "server/store/activity_tally.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server {
namespace {

constexpr UnixMicros kHour = 3600 * kMicrosPerSecond;
// 2026-11-29T10:00:00Z
constexpr UnixMicros kTen = 1'795'946'400 * kMicrosPerSecond;

Event event(bool allowed, std::optional<std::string> scope = "read:orders",
            std::optional<std::string> session = std::nullopt) {
  Event e;
  e.agent_name = "a";
  e.action = allowed ? "permission_check" : "permission_denied";
  e.allowed = allowed;
  e.scope = std::move(scope);
  e.session_id = std::move(session);
  return e;
}

TEST(ActivityTally, BucketsAreHoursAndUtcDays) {
  EXPECT_EQ(
      bucket_start(Period::kHour, bucket_of(Period::kHour, kTen + 59 * 60 * kMicrosPerSecond)),
      kTen);
  EXPECT_EQ(bucket_of(Period::kDay, kTen), utc_day(kTen));
  EXPECT_EQ(bucket_start(Period::kDay, bucket_of(Period::kDay, kTen)), kTen - 10 * kHour);
}

TEST(ActivityTally, SumsEachKeyOncePerCommit) {
  ActivityTally tally;
  tally.add(1, 10, event(true), kTen);
  tally.add(1, 10, event(false), kTen + 1);
  tally.add(1, 11, event(true, "write:orders"), kTen + kHour);  // next hour, same day
  tally.add(2, 12, event(true), kTen);                          // another project

  BucketKey hour{1, Period::kHour, bucket_of(Period::kHour, kTen)};
  BucketKey day{1, Period::kDay, bucket_of(Period::kDay, kTen)};
  EXPECT_EQ(tally.activity().at(hour).allowed, 1);
  EXPECT_EQ(tally.activity().at(hour).denied, 1);
  EXPECT_EQ(tally.activity().at(day).allowed, 2);
  EXPECT_EQ(tally.activity().at(day).denied, 1);
  EXPECT_EQ(tally.activity().size(), 5u);  // project 1: 2 hours + 1 day; project 2: 1 + 1

  const AgentCount& agent = tally.agents().at({day, 10});
  EXPECT_EQ(agent.events, 2);
  EXPECT_EQ(agent.denials, 1);
  EXPECT_EQ(agent.last_active, kTen + 1);

  EXPECT_EQ(tally.scopes().at({day, "read:orders"}).requests, 2);
  EXPECT_EQ(tally.scopes().at({day, "read:orders"}).denials, 1);
  EXPECT_EQ(tally.scopes().at({day, "write:orders"}).requests, 1);
  EXPECT_EQ(tally.scope_agents().at({day, "write:orders", 11}).requests, 1);
  EXPECT_EQ(tally.scope_agents().at({day, "read:orders", 10}).requests, 2);
  EXPECT_EQ(tally.scope_agents().at({day, "read:orders", 10}).denials, 1);
  EXPECT_FALSE(tally.scope_agents().contains({day, "write:orders", 10}));
}

TEST(ActivityTally, EventsWithoutScopeCountButUseNoScope) {
  ActivityTally tally;
  tally.add(1, 10, event(true, std::nullopt), kTen);
  EXPECT_EQ(tally.activity().size(), 2u);
  EXPECT_TRUE(tally.scopes().empty());
  EXPECT_TRUE(tally.scope_agents().empty());
}

TEST(ActivityTally, SessionsAreSessionIdsOrOnePerAgentAndDay) {
  Event with_id = event(true, "s", "abc");
  Event other_id = event(true, "s", "abd");
  Event without = event(true, "s");
  EXPECT_EQ(session_key(with_id, 1, kTen), session_key(with_id, 2, kTen + 30 * kHour));
  EXPECT_NE(session_key(with_id, 1, kTen), session_key(other_id, 1, kTen));
  EXPECT_EQ(session_key(without, 1, kTen), session_key(without, 1, kTen + kHour));
  EXPECT_NE(session_key(without, 1, kTen), session_key(without, 1, kTen + 24 * kHour));
  EXPECT_NE(session_key(without, 1, kTen), session_key(without, 2, kTen));

  ActivityTally tally;
  tally.add(1, 10, with_id, kTen + 1);
  tally.add(1, 10, with_id, kTen);
  tally.add(1, 10, with_id, kTen + 5 * kHour);
  tally.add(1, 10, other_id, kTen);
  tally.add(2, 10, other_id, kTen);  // the same id in another project is another session
  ASSERT_EQ(tally.sessions().size(), 3u);
  const SessionSpan& span = tally.sessions().at({1, session_key(with_id, 10, kTen)});
  EXPECT_EQ(span.first_active, kTen);
  EXPECT_EQ(span.last_active, kTen + 5 * kHour);
}

}  // namespace
}  // namespace agentsudo::server
