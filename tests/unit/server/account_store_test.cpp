// AccountStore's rules on a real SQLite file.
#include <gtest/gtest.h>

#include "server/service/project_service.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

NewUser new_user(std::string email, bool is_admin = false, bool only_if_first = false) {
  return NewUser{std::move(email), "$argon2id$hash", is_admin, only_if_first};
}

TEST(AccountStore, FirstUserIsAdminAndJoinsExistingProjects) {
  TempStore store;
  auto project = ProjectService(*store->projects).create("before", Tier{"free", 1000});
  ASSERT_TRUE(project.ok());
  auto first = store->accounts->create_user(new_user("first@example.com"));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->is_admin);
  EXPECT_TRUE(*store->accounts->is_member(project->project.rowid, first->rowid));
  auto second = store->accounts->create_user(new_user("second@example.com"));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->is_admin);
  EXPECT_FALSE(*store->accounts->is_member(project->project.rowid, second->rowid));
  EXPECT_EQ(*store->accounts->count_users(), 2);
}

TEST(AccountStore, SetupOnlyWhileNobodyExists) {
  TempStore store;
  ASSERT_TRUE(store->accounts->create_user(new_user("a@example.com", true, true)).ok());
  auto again = store->accounts->create_user(new_user("b@example.com", true, true));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(*store->accounts->count_users(), 1);
}

TEST(AccountStore, EmailsAreUnique) {
  TempStore store;
  ASSERT_TRUE(store->accounts->create_user(new_user("a@example.com")).ok());
  auto taken = store->accounts->create_user(new_user("a@example.com"));
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(taken.error().field, "email");
}

TEST(AccountStore, TheLastAdminStays) {
  TempStore store;
  auto admin = store->accounts->create_user(new_user("admin@example.com"));
  auto user = store->accounts->create_user(new_user("user@example.com"));
  ASSERT_TRUE(admin.ok() && user.ok());
  EXPECT_EQ(store->accounts->delete_user(admin->id).error().kind, ErrorKind::kConflict);
  EXPECT_TRUE(store->accounts->delete_user(user->id));
  EXPECT_EQ(store->accounts->delete_user(user->id).error().kind, ErrorKind::kNotFound);
  auto second_admin = store->accounts->create_user(new_user("admin2@example.com", true));
  ASSERT_TRUE(second_admin.ok());
  EXPECT_TRUE(store->accounts->delete_user(admin->id));
}

TEST(AccountStore, Membership) {
  TempStore store;
  auto admin = store->accounts->create_user(new_user("admin@example.com"));
  auto user = store->accounts->create_user(new_user("user@example.com"));
  auto project = ProjectService(*store->projects).create("p", Tier{"free", 1000});
  ASSERT_TRUE(admin.ok() && user.ok() && project.ok());
  auto rowid = project->project.rowid;
  ASSERT_TRUE(store->accounts->add_member(rowid, user->rowid));
  EXPECT_EQ(store->accounts->add_member(rowid, user->rowid).error().kind, ErrorKind::kConflict);
  EXPECT_EQ(store->accounts->members_of(rowid)->size(), 1U);
  EXPECT_EQ(store->accounts->projects_of(user->rowid)->size(), 1U);
  ASSERT_TRUE(store->accounts->remove_member(rowid, user->id));
  EXPECT_EQ(store->accounts->remove_member(rowid, user->id).error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(store->accounts->projects_of(user->rowid)->empty());
}

TEST(AccountStore, DeletingAProjectRemovesItsMemberships) {
  TempStore store;
  auto user = store->accounts->create_user(new_user("admin@example.com"));
  auto project = ProjectService(*store->projects).create("p", Tier{"free", 1000});
  ASSERT_TRUE(user.ok() && project.ok());
  ASSERT_TRUE(store->accounts->add_member(project->project.rowid, user->rowid));
  ASSERT_TRUE(store->projects->delete_project(project->project.id));
  EXPECT_TRUE(store->accounts->projects_of(user->rowid)->empty());
  EXPECT_EQ(store->projects->find_project(project->project.id).error().kind, ErrorKind::kNotFound);
}

SecretDigest session_digest(unsigned char tag) {
  SecretDigest digest{};
  digest.fill(tag);
  return digest;
}

TEST(AccountStore, ANewPasswordEndsEverySessionButTheOneKept) {
  TempStore store;
  auto user = store->accounts->create_user(new_user("user@example.com"));
  auto other = store->accounts->create_user(new_user("other@example.com"));
  ASSERT_TRUE(user.ok() && other.ok());
  constexpr UnixMicros kNow = 1'000, kLater = 2'000'000'000'000'000;
  for (unsigned char tag : {1, 2, 3})
    ASSERT_TRUE(
        store->accounts->add_session(session_digest(tag), user->rowid, "csrf", kLater, kNow));
  ASSERT_TRUE(store->accounts->add_session(session_digest(9), other->rowid, "csrf", kLater, kNow));

  ASSERT_TRUE(store->accounts->set_password_hash(user->rowid, "$argon2id$new", session_digest(2)));
  EXPECT_EQ(store->accounts->find_user_by_email("user@example.com")->password_hash,
            "$argon2id$new");
  EXPECT_FALSE(store->accounts->find_session(session_digest(1), kNow));
  EXPECT_TRUE(store->accounts->find_session(session_digest(2), kNow));
  EXPECT_FALSE(store->accounts->find_session(session_digest(3), kNow));
  EXPECT_TRUE(store->accounts->find_session(session_digest(9), kNow)) << "another user's stays";

  ASSERT_TRUE(store->accounts->set_password_hash(user->rowid, "$argon2id$reset", std::nullopt));
  EXPECT_FALSE(store->accounts->find_session(session_digest(2), kNow));
  EXPECT_TRUE(store->accounts->find_session(session_digest(9), kNow));
  EXPECT_EQ(store->accounts->find_user_by_email("other@example.com")->password_hash,
            "$argon2id$hash");
}

TEST(AccountStore, ANewPasswordForNobodyIsNotFound) {
  TempStore store;
  auto set = store->accounts->set_password_hash(12345, "$argon2id$new", std::nullopt);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace agentsudo::server

namespace agentsudo::server {
namespace {

TEST(ProjectStore, ADeletedProjectsRowidIsNeverReused) {
  TempStore store;
  auto first = ProjectService(*store->projects).create("one", Tier{"free", 1000});
  auto last = ProjectService(*store->projects).create("two", Tier{"free", 1000});
  ASSERT_TRUE(first.ok() && last.ok());
  ASSERT_TRUE(store->projects->delete_project(last->project.id));
  auto next = ProjectService(*store->projects).create("three", Tier{"free", 1000});
  ASSERT_TRUE(next.ok());
  EXPECT_GT(next->project.rowid, last->project.rowid);
  ASSERT_TRUE(store->projects->delete_project(first->project.id));
  auto after = ProjectService(*store->projects).create("four", Tier{"free", 1000});
  ASSERT_TRUE(after.ok());
  EXPECT_GT(after->project.rowid, next->project.rowid);
}

}  // namespace
}  // namespace agentsudo::server
