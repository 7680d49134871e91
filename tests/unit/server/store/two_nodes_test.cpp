// Two server nodes on one store: a second StoreSet opened on the same
// database (PostgreSQL) or data directory (SQLite), with its own connections.
// What one node changes, the other sees on its next call, and what both do at
// the same moment comes out as if they had taken turns.
#include <gtest/gtest.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "../temp_store.hpp"
#include "server/auth/login_throttle.hpp"
#include "server/auth/secret.hpp"
#include "server/service/project_service.hpp"
#include "server/store/cached_project_store.hpp"

namespace agentsudo::server {
namespace {

class TwoNodesTest : public testing::Test {
 protected:
  void SetUp() override {
    auto other = store_.open_another_node();
    ASSERT_TRUE(other.ok()) << other.error().message;
    other_ = std::move(*other);
  }

  // Runs `on_first` and `on_second` on two threads released at once.
  template <class First, class Second>
  static void at_once(First on_first, Second on_second) {
    std::latch start(2);
    std::thread first([&] {
      start.arrive_and_wait();
      on_first();
    });
    std::thread second([&] {
      start.arrive_and_wait();
      on_second();
    });
    first.join();
    second.join();
  }

  StoreSet& first() { return *store_; }
  StoreSet& second() { return other_; }

  TempStore store_;
  StoreSet other_;
};

NewUser new_user(std::string email) {
  return NewUser{std::move(email), "$argon2id$hash", false, false};
}

TEST_F(TwoNodesTest, AKeyRevokedOnOneNodeIsRefusedByTheOtherAtOnce) {
  auto created = ProjectService(*first().projects).create("shared", Tier{"free", 1000});
  ASSERT_TRUE(created.ok());
  SecretDigest digest = digest_secret(created->key.plaintext);
  Counter hits;
  Counter misses;
  CachedProjectStore cached(*second().projects, second().credentials_generation, {hits, misses});
  ASSERT_TRUE(cached.find_key_owner(digest).ok());
  ASSERT_TRUE(cached.find_key_owner(digest).ok());

  ASSERT_TRUE(first().projects->revoke_api_key(std::nullopt, created->key.record.id).ok());

  auto uncached = second().projects->find_key_owner(digest);
  ASSERT_FALSE(uncached.ok());
  EXPECT_EQ(uncached.error().kind, ErrorKind::kInvalidApiKey);
  auto through_cache = cached.find_key_owner(digest);
  ASSERT_FALSE(through_cache.ok());
  EXPECT_EQ(through_cache.error().kind, ErrorKind::kInvalidApiKey);
}

TEST_F(TwoNodesTest, ConcurrentSettingOrInsertAgreesOnOneValue) {
  constexpr int kNames = 20;
  std::vector<std::string> from_first(kNames);
  std::vector<std::string> from_second(kNames);
  auto insert_all = [](StoreSet& node, const std::string& value, std::vector<std::string>& out) {
    for (int i = 0; i < kNames; ++i) {
      auto stored = node.projects->setting_or_insert("race_" + std::to_string(i), value);
      ASSERT_TRUE(stored.ok()) << stored.error().message;
      out[static_cast<std::size_t>(i)] = *stored;
    }
  };
  at_once([&] { insert_all(first(), std::string("first\0node", 10), from_first); },
          [&] { insert_all(second(), "second", from_second); });
  for (int i = 0; i < kNames; ++i) {
    auto index = static_cast<std::size_t>(i);
    EXPECT_EQ(from_first[index], from_second[index]) << "setting " << i;
    EXPECT_TRUE(from_first[index] == std::string("first\0node", 10) ||
                from_first[index] == "second");
    auto stored = first().projects->setting("race_" + std::to_string(i));
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_EQ(**stored, from_first[index]);
  }
}

TEST_F(TwoNodesTest, TheDefaultProjectIsMadeOnceWhenBothNodesStartTogether) {
  Result<std::optional<NewProject>> on_first = std::optional<NewProject>();
  Result<std::optional<NewProject>> on_second = std::optional<NewProject>();
  at_once([&] { on_first = ProjectService(*first().projects).create_default(); },
          [&] { on_second = ProjectService(*second().projects).create_default(); });
  ASSERT_TRUE(on_first.ok()) << on_first.error().message;
  ASSERT_TRUE(on_second.ok()) << on_second.error().message;
  EXPECT_NE(on_first->has_value(), on_second->has_value());
  auto projects = second().projects->list_projects();
  ASSERT_TRUE(projects.ok());
  EXPECT_EQ(projects->size(), 1U);
  auto marker = first().projects->setting(ProjectService::kDefaultProjectSetting);
  ASSERT_TRUE(marker.ok() && marker->has_value());
  EXPECT_EQ(**marker, projects->front().id);
}

TEST_F(TwoNodesTest, OnlyOneOfTwoFirstUsersBecomesAdmin) {
  Result<User> on_first = make_error(ErrorKind::kInternal, "not run");
  Result<User> on_second = make_error(ErrorKind::kInternal, "not run");
  at_once([&] { on_first = first().accounts->create_user(new_user("a@example.com")); },
          [&] { on_second = second().accounts->create_user(new_user("b@example.com")); });
  ASSERT_TRUE(on_first.ok()) << on_first.error().message;
  ASSERT_TRUE(on_second.ok()) << on_second.error().message;
  EXPECT_NE(on_first->is_admin, on_second->is_admin);
}

TEST_F(TwoNodesTest, TheLastTwoAdminsCannotBothBeDeletedAtOnce) {
  auto a = first().accounts->create_user(new_user("a@example.com"));
  auto b = first().accounts->create_user(NewUser{"b@example.com", "$argon2id$hash", true, false});
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a->is_admin && b->is_admin);
  Status on_first;
  Status on_second;
  at_once([&] { on_first = first().accounts->delete_user(a->id); },
          [&] { on_second = second().accounts->delete_user(b->id); });
  EXPECT_NE(on_first.ok(), on_second.ok());
  const Status& refused = on_first.ok() ? on_second : on_first;
  EXPECT_EQ(refused.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(*first().accounts->count_users(), 1);
}

TEST_F(TwoNodesTest, ConcurrentChangesOfOneAgentFromTwoNodesBothStay) {
  auto project = ProjectService(*first().projects).create("agents", Tier{"free", 1000});
  ASSERT_TRUE(project.ok());
  std::int64_t rowid = project->project.rowid;
  ChangeAuthor author{"test"};
  auto agent = first().agents->create_agent(rowid, "worker-1", AgentSettings{}, author);
  ASSERT_TRUE(agent.ok()) << agent.error().message;
  AgentSettingsChange scopes;
  scopes.scopes = std::vector<std::string>{"read:*"};
  AgentSettingsChange role;
  role.role = "supervisor";
  Result<Agent> on_first = make_error(ErrorKind::kInternal, "not run");
  Result<Agent> on_second = make_error(ErrorKind::kInternal, "not run");
  at_once([&] { on_first = first().agents->update_agent(rowid, agent->id, scopes, author); },
          [&] { on_second = second().agents->update_agent(rowid, agent->id, role, author); });
  ASSERT_TRUE(on_first.ok()) << on_first.error().message;
  ASSERT_TRUE(on_second.ok()) << on_second.error().message;
  auto stored = second().agents->find_agent(rowid, agent->id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->settings.scopes, std::vector<std::string>{"read:*"});
  EXPECT_EQ(stored->settings.role, "supervisor");
  auto policy = first().agents->policy(rowid);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->version, 3);
  auto history = first().agents->policy_history(rowid, agent->id, 10);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3U);
  EXPECT_EQ((*history)[0].version, 3);
  EXPECT_EQ((*history)[1].version, 2);
}

TEST_F(TwoNodesTest, AnAgentNameCreatedOnBothNodesAtOnceIsCreatedOnce) {
  auto project = ProjectService(*first().projects).create("agents", Tier{"free", 1000});
  ASSERT_TRUE(project.ok());
  std::int64_t rowid = project->project.rowid;
  ChangeAuthor author{"test"};
  Result<Agent> on_first = make_error(ErrorKind::kInternal, "not run");
  Result<Agent> on_second = make_error(ErrorKind::kInternal, "not run");
  at_once(
      [&] { on_first = first().agents->create_agent(rowid, "twin", AgentSettings{}, author); },
      [&] { on_second = second().agents->create_agent(rowid, "twin", AgentSettings{}, author); });
  EXPECT_NE(on_first.ok(), on_second.ok());
  const auto& refused = on_first.ok() ? on_second : on_first;
  EXPECT_EQ(refused.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(refused.error().field, "name");
  auto agents = first().agents->list_agents(rowid);
  ASSERT_TRUE(agents.ok());
  EXPECT_EQ(agents->size(), 1U);
}

constexpr UnixMicros kSecond = 1'000'000;
constexpr UnixMicros kStart = 1'800'000'000 * kSecond;

// Only PostgreSQL shares login failures between nodes (a SQLite store has
// one node, whose throttle counts in memory): left out of the SQLite run.
class PostgresTwoNodesTest : public TwoNodesTest {};

TEST_F(PostgresTwoNodesTest, FailedLoginsAreCountedOnEveryNode) {
  if (!first().login_failures)
    GTEST_SKIP() << "a SQLite store has one node, whose throttle counts in memory";
  ManualClock clock(kStart);
  LoginThrottle on_first(clock, {}, *first().login_failures);
  LoginThrottle on_second(clock, {}, *second().login_failures);
  for (int i = 0; i < 5; ++i) {
    LoginThrottle& node = i % 2 == 0 ? on_first : on_second;
    auto admitted = node.admit("ada@example.com", "203.0.113.7");
    ASSERT_TRUE(admitted.ok()) << i << ": " << admitted.error().message;
    node.failed(*admitted);
  }
  auto refused = on_second.admit("ada@example.com", "203.0.113.7");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(refused.error().retry_after_seconds, 1);

  clock.advance(kSecond);
  auto admitted = on_first.admit("ada@example.com", "203.0.113.7");
  ASSERT_TRUE(admitted.ok());
  on_first.succeeded(*admitted);
  EXPECT_TRUE(on_second.admit("ada@example.com", "203.0.113.7").ok())
      << "a success on one node clears the pair on the other";
}

TEST_F(PostgresTwoNodesTest, GuessesSentToBothNodesAtOnceAreAdmittedOnlyUpToTheAllowance) {
  if (!first().login_failures)
    GTEST_SKIP() << "a SQLite store has one node, whose throttle counts in memory";
  ManualClock clock(kStart);
  LoginThrottle on_first(clock, {}, *first().login_failures);
  LoginThrottle on_second(clock, {}, *second().login_failures);
  int admitted_first = 0;
  int admitted_second = 0;
  auto guess = [](LoginThrottle& node, int& admitted) {
    for (int i = 0; i < 10; ++i) {
      if (node.admit("ada@example.com", "203.0.113.7").ok())
        ++admitted;
    }
  };
  at_once([&] { guess(on_first, admitted_first); }, [&] { guess(on_second, admitted_second); });
  // Four free attempts, and a fifth that starts the first wait.
  EXPECT_EQ(admitted_first + admitted_second, 5);
}

}  // namespace
}  // namespace agentsudo::server
