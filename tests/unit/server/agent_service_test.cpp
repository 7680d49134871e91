// AgentService on a real SQLite file.
#include "server/service/agent_service.hpp"

#include <gtest/gtest.h>

#include "server/service/project_service.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

class AgentServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    ProjectService projects(*store_->projects);
    auto mine = projects.create("mine", Tier{"free", 1000});
    auto theirs = projects.create("theirs", Tier{"free", 1000});
    ASSERT_TRUE(mine.ok() && theirs.ok());
    mine_ = mine->project.rowid;
    theirs_ = theirs->project.rowid;
  }

  TempStore store_;
  ManualClock clock_{0};
  std::vector<std::int64_t> changed_;  // projects the listener heard of
  AgentService agents_{*store_->agents, *store_->analytics, clock_,
                       [this](std::int64_t project) { changed_.push_back(project); }};
  const ChangeAuthor author_{"ops@example.com"};
  std::int64_t mine_ = 0;
  std::int64_t theirs_ = 0;
};

TEST_F(AgentServiceTest, CreatesWithTheSettingsGivenAndDefaultsForTheRest) {
  AgentSettingsChange settings;
  settings.scopes = std::vector<std::string>{"read:orders", "write:*"};
  auto agent = agents_.create(mine_, "SupportBot", settings, author_);
  ASSERT_TRUE(agent.ok()) << agent.error().message;
  EXPECT_EQ(agent->settings.scopes, settings.scopes);
  EXPECT_EQ(agent->settings.role, AgentSettings{}.role);
  EXPECT_EQ(agent->settings.session_ttl_seconds, AgentSettings{}.session_ttl_seconds);
  auto taken = agents_.create(mine_, "SupportBot", {}, author_);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().kind, ErrorKind::kConflict);
  EXPECT_TRUE(agents_.create(theirs_, "SupportBot", {}, author_).ok());
}

TEST_F(AgentServiceTest, ValidationNamesTheFieldAndStoresNothing) {
  AgentSettingsChange bad_scope;
  bad_scope.scopes = std::vector<std::string>{"read:orders", ""};
  AgentSettingsChange bad_role;
  bad_role.role = std::string(65, 'r');
  AgentSettingsChange bad_ttl;
  bad_ttl.session_ttl_seconds = 0;
  struct Case {
    std::string name;
    AgentSettingsChange settings;
    std::string field;
  };
  for (const auto& [name, settings, field] :
       {Case{"", {}, "name"}, Case{"bot", bad_scope, "scopes"}, Case{"bot", bad_role, "role"},
        Case{"bot", bad_ttl, "session_ttl_seconds"}}) {
    auto agent = agents_.create(mine_, name, settings, author_);
    ASSERT_FALSE(agent.ok()) << field;
    EXPECT_EQ(agent.error().kind, ErrorKind::kInvalidPayload) << field;
    EXPECT_EQ(agent.error().field, field);
  }
  EXPECT_TRUE(agents_.list(mine_)->empty());
}

TEST_F(AgentServiceTest, AnUpdateChangesOnlyWhatItNames) {
  AgentSettingsChange scopes;
  scopes.scopes = std::vector<std::string>{"read:orders"};
  auto agent = agents_.create(mine_, "bot", scopes, author_);
  ASSERT_TRUE(agent.ok());
  AgentSettingsChange role;
  role.role = "supervisor";
  AgentSettingsChange ttl;
  ttl.session_ttl_seconds = 60;
  // Two changes of different settings, each applied to what is stored: both stay.
  ASSERT_TRUE(agents_.update(mine_, agent->id, role, author_).ok());
  auto updated = agents_.update(mine_, agent->id, ttl, author_);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->settings.scopes, scopes.scopes);
  EXPECT_EQ(updated->settings.role, "supervisor");
  EXPECT_EQ(updated->settings.session_ttl_seconds, 60);
  EXPECT_EQ(agents_.find(mine_, agent->id)->settings.role, "supervisor");
}

TEST_F(AgentServiceTest, AnotherProjectsOrAMalformedIdIsNotFound) {
  auto agent = agents_.create(mine_, "bot", {}, author_);
  ASSERT_TRUE(agent.ok());
  AgentSettingsChange role;
  role.role = "supervisor";
  for (const std::string& id : {agent->id, std::string("not-a-uuid")}) {
    EXPECT_EQ(agents_.find(theirs_, id).error().kind, ErrorKind::kNotFound);
    EXPECT_EQ(agents_.update(theirs_, id, role, author_).error().kind, ErrorKind::kNotFound);
    EXPECT_EQ(agents_.remove(theirs_, id, author_).error().kind, ErrorKind::kNotFound);
  }
  EXPECT_EQ(agents_.find(mine_, agent->id)->settings.role, AgentSettings{}.role);
  ASSERT_TRUE(agents_.remove(mine_, agent->id, author_));
  EXPECT_EQ(agents_.find(mine_, agent->id).error().kind, ErrorKind::kNotFound);
}

TEST_F(AgentServiceTest, EveryChangeBumpsThePolicyVersionAndIsKeptAsHistory) {
  EXPECT_EQ(store_->agents->policy(mine_)->version, 0);
  AgentSettingsChange scopes;
  scopes.scopes = std::vector<std::string>{"read:*"};
  auto agent = agents_.create(mine_, "bot", scopes, author_);
  ASSERT_TRUE(agent.ok());
  AgentSettingsChange wider;
  wider.scopes = std::vector<std::string>{"read:*", "write:*"};
  ASSERT_TRUE(agents_.update(mine_, agent->id, wider, ChangeAuthor{"operator"}).ok());

  auto policy = store_->agents->policy(mine_);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->version, 2);
  ASSERT_EQ(policy->agents.size(), 1u);
  EXPECT_EQ(policy->agents[0].settings.scopes, *wider.scopes);
  EXPECT_EQ(store_->agents->policy(theirs_)->version, 0);
  EXPECT_EQ(changed_, (std::vector<std::int64_t>{mine_, mine_}));

  auto history = agents_.history(mine_, agent->id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  const PolicyChange& latest = (*history)[0];
  EXPECT_EQ(latest.version, 2);
  EXPECT_EQ(latest.kind, PolicyChangeKind::kUpdated);
  EXPECT_EQ(latest.changed_by, "operator");
  EXPECT_EQ(latest.old_settings->scopes, *scopes.scopes);
  EXPECT_EQ(latest.new_settings->scopes, *wider.scopes);
  EXPECT_EQ((*history)[1].kind, PolicyChangeKind::kCreated);
  EXPECT_FALSE((*history)[1].old_settings.has_value());
  EXPECT_EQ((*history)[1].changed_by, "ops@example.com");
}

TEST_F(AgentServiceTest, ARefusedChangeTouchesNeitherVersionNorListener) {
  AgentSettingsChange bad;
  bad.scopes = std::vector<std::string>{"bad["};
  EXPECT_FALSE(agents_.create(mine_, "bot", bad, author_).ok());
  EXPECT_EQ(store_->agents->policy(mine_)->version, 0);
  EXPECT_TRUE(changed_.empty());
}

TEST_F(AgentServiceTest, DeletingLeavesThePolicyButKeepsTheHistory) {
  auto agent = agents_.create(mine_, "bot", {}, author_);
  ASSERT_TRUE(agent.ok());
  ASSERT_TRUE(agents_.remove(mine_, agent->id, author_));
  auto policy = store_->agents->policy(mine_);
  EXPECT_EQ(policy->version, 2);
  EXPECT_TRUE(policy->agents.empty());
  auto history = agents_.history(mine_, agent->id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)[0].kind, PolicyChangeKind::kDeleted);
  EXPECT_FALSE((*history)[0].new_settings.has_value());
}

TEST_F(AgentServiceTest, PreviewRefusesABadWindowOrScope) {
  auto agent = agents_.create(mine_, "bot", {}, author_);
  ASSERT_TRUE(agent.ok());
  EXPECT_EQ(agents_.preview(mine_, agent->id, {}, 0).error().field, "days");
  EXPECT_EQ(agents_.preview(mine_, agent->id, {}, 91).error().field, "days");
  EXPECT_EQ(agents_.preview(mine_, agent->id, {"bad["}, 7).error().field, "scopes");
  EXPECT_EQ(agents_.preview(theirs_, agent->id, {}, 7).error().kind, ErrorKind::kNotFound);
  auto empty = agents_.preview(mine_, agent->id, {"*"}, 7);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->calls, 0);
}

}  // namespace
}  // namespace agentsudo::server
