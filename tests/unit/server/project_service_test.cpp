// ProjectService on a real SQLite file: each action is one transaction.
#include "server/service/project_service.hpp"

#include <gtest/gtest.h>

#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

const Tier kFree{"free", 1000};

NewUser new_user(std::string email) {
  return NewUser{std::move(email), "$argon2id$hash", false, false};
}

TEST(ProjectService, CreatesTheProjectItsKeyAndItsFirstMemberTogether) {
  TempStore store;
  auto user = store->accounts->create_user(new_user("owner@example.com"));
  ASSERT_TRUE(user.ok());
  ProjectService projects(*store->projects);
  auto created = projects.create("shop", Tier{"pro", 100'000}, user->rowid);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->project.name, "shop");
  EXPECT_EQ(created->project.tier.daily_quota, 100'000);
  EXPECT_EQ(created->key.record.project_id, created->project.id);
  EXPECT_TRUE(created->key.plaintext.starts_with("as_"));
  EXPECT_TRUE(*store->accounts->is_member(created->project.rowid, user->rowid));
  auto keys = store->projects->list_api_keys(created->project.id);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1U);
  EXPECT_EQ((*keys)[0].id, created->key.record.id);
}

TEST(ProjectService, AFailedLaterStepLeavesNoProjectBehind) {
  TempStore store;
  ProjectService projects(*store->projects);
  // No user has this rowid: the member insert, the last step, fails.
  auto created = projects.create("orphan", kFree, 4242);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().kind, ErrorKind::kInternal);
  EXPECT_TRUE(store->projects->list_projects()->empty());
}

TEST(ProjectService, RefusesABadNameNamingTheField) {
  TempStore store;
  ProjectService projects(*store->projects);
  for (std::string name : {std::string(), std::string(101, 'x'), std::string("a\nb")}) {
    auto created = projects.create(name, kFree);
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.error().kind, ErrorKind::kInvalidParameter);
    EXPECT_EQ(created.error().field, "name");
  }
  EXPECT_TRUE(store->projects->list_projects()->empty());
}

TEST(ProjectService, RenamesAndRetiersTogether) {
  TempStore store;
  ProjectService projects(*store->projects);
  auto created = projects.create("old", kFree);
  ASSERT_TRUE(created.ok());
  auto updated = projects.update(created->project.id, {"new", Tier{"pro", 100'000}, {}});
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->name, "new");
  EXPECT_EQ(updated->tier.name, "pro");
  auto stored = store->projects->find_project(created->project.id);
  EXPECT_EQ(stored->name, "new");
  EXPECT_EQ(stored->tier.daily_quota, 100'000);

  auto tier_only = projects.update(created->project.id, {{}, kFree, {}});
  ASSERT_TRUE(tier_only.ok());
  EXPECT_EQ(tier_only->name, "new");
  EXPECT_EQ(tier_only->tier.name, "free");
}

TEST(ProjectService, ABadNameChangesNothingAndAnUnknownProjectIsNotFound) {
  TempStore store;
  ProjectService projects(*store->projects);
  auto created = projects.create("kept", kFree);
  ASSERT_TRUE(created.ok());
  auto bad = projects.update(created->project.id, {"", Tier{"pro", 100'000}, {}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "name");
  auto stored = store->projects->find_project(created->project.id);
  EXPECT_EQ(stored->name, "kept");
  EXPECT_EQ(stored->tier.name, "free");
  auto missing = projects.update("01890000-0000-7000-8000-000000000000", {"x", std::nullopt, {}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST(ProjectService, TheDefaultProjectIsMadeOnceEver) {
  TempStore store;
  ProjectService projects(*store->projects);
  auto first = projects.create_default();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->project.name, "default");
  EXPECT_EQ(*store->projects->setting(ProjectService::kDefaultProjectSetting),
            (*first)->project.id);
  // Deleted afterwards, it does not come back on the next start.
  ASSERT_TRUE(projects.remove((*first)->project, "default"));
  auto again = projects.create_default();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  EXPECT_TRUE(store->projects->list_projects()->empty());
}

TEST(ProjectService, RemovingNeedsTheProjectsName) {
  TempStore store;
  ProjectService projects(*store->projects);
  auto created = projects.create("named", kFree);
  ASSERT_TRUE(created.ok());
  auto wrong = projects.remove(created->project, "Named");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().kind, ErrorKind::kInvalidPayload);
  EXPECT_EQ(wrong.error().field, "confirm");
  EXPECT_TRUE(store->projects->find_project(created->project.id).ok());
  ASSERT_TRUE(projects.remove(created->project, "named"));
  EXPECT_EQ(store->projects->find_project(created->project.id).error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace agentsudo::server
