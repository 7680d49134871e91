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
  AgentService agents_{*store_->agents};
  std::int64_t mine_ = 0;
  std::int64_t theirs_ = 0;
};

TEST_F(AgentServiceTest, CreatesWithTheSettingsGivenAndDefaultsForTheRest) {
  AgentSettingsChange settings;
  settings.scopes = std::vector<std::string>{"read:orders", "write:*"};
  auto agent = agents_.create(mine_, "SupportBot", settings);
  ASSERT_TRUE(agent.ok()) << agent.error().message;
  EXPECT_EQ(agent->settings.scopes, settings.scopes);
  EXPECT_EQ(agent->settings.role, AgentSettings{}.role);
  EXPECT_EQ(agent->settings.session_ttl_seconds, AgentSettings{}.session_ttl_seconds);
  auto taken = agents_.create(mine_, "SupportBot", {});
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().kind, ErrorKind::kConflict);
  EXPECT_TRUE(agents_.create(theirs_, "SupportBot", {}).ok());
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
    auto agent = agents_.create(mine_, name, settings);
    ASSERT_FALSE(agent.ok()) << field;
    EXPECT_EQ(agent.error().kind, ErrorKind::kInvalidPayload) << field;
    EXPECT_EQ(agent.error().field, field);
  }
  EXPECT_TRUE(agents_.list(mine_)->empty());
}

TEST_F(AgentServiceTest, AnUpdateChangesOnlyWhatItNames) {
  AgentSettingsChange scopes;
  scopes.scopes = std::vector<std::string>{"read:orders"};
  auto agent = agents_.create(mine_, "bot", scopes);
  ASSERT_TRUE(agent.ok());
  AgentSettingsChange role;
  role.role = "supervisor";
  AgentSettingsChange ttl;
  ttl.session_ttl_seconds = 60;
  // Two changes of different settings, each applied to what is stored: both stay.
  ASSERT_TRUE(agents_.update(mine_, agent->id, role).ok());
  auto updated = agents_.update(mine_, agent->id, ttl);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->settings.scopes, scopes.scopes);
  EXPECT_EQ(updated->settings.role, "supervisor");
  EXPECT_EQ(updated->settings.session_ttl_seconds, 60);
  EXPECT_EQ(agents_.find(mine_, agent->id)->settings.role, "supervisor");
}

TEST_F(AgentServiceTest, AnotherProjectsOrAMalformedIdIsNotFound) {
  auto agent = agents_.create(mine_, "bot", {});
  ASSERT_TRUE(agent.ok());
  AgentSettingsChange role;
  role.role = "supervisor";
  for (const std::string& id : {agent->id, std::string("not-a-uuid")}) {
    EXPECT_EQ(agents_.find(theirs_, id).error().kind, ErrorKind::kNotFound);
    EXPECT_EQ(agents_.update(theirs_, id, role).error().kind, ErrorKind::kNotFound);
    EXPECT_EQ(agents_.remove(theirs_, id).error().kind, ErrorKind::kNotFound);
  }
  EXPECT_EQ(agents_.find(mine_, agent->id)->settings.role, AgentSettings{}.role);
  ASSERT_TRUE(agents_.remove(mine_, agent->id));
  EXPECT_EQ(agents_.find(mine_, agent->id).error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace agentsudo::server
