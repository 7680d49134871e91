// MemberService on a real SQLite file.
#include "server/service/member_service.hpp"

#include <gtest/gtest.h>

#include "server/service/project_service.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

class MemberServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    auto admin = store_->accounts->create_user(NewUser{"admin@example.com", "$h", false, false});
    auto bob = store_->accounts->create_user(NewUser{"bob@example.com", "$h", false, false});
    auto project = ProjectService(*store_->projects).create("p", Tier{"free", 1000});
    ASSERT_TRUE(admin.ok() && bob.ok() && project.ok());
    bob_ = *bob;
    project_ = project->project;
  }

  TempStore store_;
  MemberService members_{*store_->accounts};
  User bob_;
  Project project_;
};

TEST_F(MemberServiceTest, AddsAUserByEmailAsTyped) {
  auto added = members_.add(project_.rowid, "  Bob@Example.COM ");
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->id, bob_.id);
  EXPECT_TRUE(*store_->accounts->is_member(project_.rowid, bob_.rowid));
  auto again = members_.add(project_.rowid, "bob@example.com");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kConflict);
}

TEST_F(MemberServiceTest, AnUnknownOrMalformedEmailNamesTheField) {
  for (const char* email : {"nobody@example.com", "nope"}) {
    auto added = members_.add(project_.rowid, email);
    ASSERT_FALSE(added.ok()) << email;
    EXPECT_EQ(added.error().kind, ErrorKind::kInvalidPayload) << email;
    EXPECT_EQ(added.error().field, "email") << email;
  }
  EXPECT_TRUE(members_.list(project_.rowid)->empty());
}

TEST_F(MemberServiceTest, RemovesOnlyAMember) {
  ASSERT_TRUE(members_.add(project_.rowid, "bob@example.com").ok());
  ASSERT_TRUE(members_.remove(project_.rowid, bob_.id));
  EXPECT_FALSE(*store_->accounts->is_member(project_.rowid, bob_.rowid));
  EXPECT_EQ(members_.remove(project_.rowid, bob_.id).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(members_.remove(project_.rowid, "not-a-uuid").error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace agentsudo::server
