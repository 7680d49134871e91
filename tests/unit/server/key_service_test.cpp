// KeyService on a real SQLite file: a key is only ever found in its own
// project, and rotation is one transaction.
#include "server/service/key_service.hpp"

#include <gtest/gtest.h>

#include "server/auth/secret.hpp"
#include "server/service/project_service.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

class KeyServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    ProjectService projects(*store_->projects);
    auto mine = projects.create("mine", Tier{"free", 1000});
    auto theirs = projects.create("theirs", Tier{"free", 1000});
    ASSERT_TRUE(mine.ok() && theirs.ok());
    mine_ = std::move(*mine);
    theirs_ = std::move(*theirs);
  }

  bool active(const std::string& plaintext) {
    return store_->projects->find_key_owner(digest_secret(plaintext)).ok();
  }

  std::size_t key_count(const std::string& project_id) { return keys_.list(project_id)->size(); }

  TempStore store_;
  KeyService keys_{*store_->projects};
  NewProject mine_;
  NewProject theirs_;
};

TEST_F(KeyServiceTest, CreatesAKeyInTheProject) {
  auto key = keys_.create(mine_.project.id);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->record.project_id, mine_.project.id);
  EXPECT_TRUE(active(key->plaintext));
  EXPECT_EQ(key_count(mine_.project.id), 2U);
  auto missing = keys_.create("01890000-0000-7000-8000-000000000000");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_F(KeyServiceTest, RevokesOnlyAKeyOfTheProject) {
  auto other = keys_.revoke(mine_.project.id, theirs_.key.record.id);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(active(theirs_.key.plaintext));

  auto revoked = keys_.revoke(mine_.project.id, mine_.key.record.id);
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->id, mine_.key.record.id);
  EXPECT_TRUE(revoked->revoked_at.has_value());
  EXPECT_FALSE(active(mine_.key.plaintext));
  auto again = keys_.revoke(mine_.project.id, mine_.key.record.id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kNotFound);
}

TEST_F(KeyServiceTest, RotatesOnlyAKeyOfTheProject) {
  auto other = keys_.rotate(mine_.project.id, theirs_.key.record.id);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().kind, ErrorKind::kNotFound);
  // Neither project gained a key nor lost one.
  EXPECT_TRUE(active(theirs_.key.plaintext));
  EXPECT_EQ(key_count(mine_.project.id), 1U);
  EXPECT_EQ(key_count(theirs_.project.id), 1U);

  auto rotated = keys_.rotate(mine_.project.id, mine_.key.record.id);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->record.project_id, mine_.project.id);
  EXPECT_FALSE(active(mine_.key.plaintext));
  EXPECT_TRUE(active(rotated->plaintext));
  EXPECT_EQ(key_count(mine_.project.id), 2U);
  // A revoked key cannot be rotated a second time.
  EXPECT_EQ(keys_.rotate(mine_.project.id, mine_.key.record.id).error().kind, ErrorKind::kNotFound);
}

TEST_F(KeyServiceTest, AnOperatorReachesAnyProjectsKey) {
  auto rotated = keys_.rotate_in_any_project(theirs_.key.record.id);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->record.project_id, theirs_.project.id);
  ASSERT_TRUE(keys_.revoke_in_any_project(rotated->record.id).ok());
  EXPECT_FALSE(active(rotated->plaintext));
  EXPECT_EQ(keys_.revoke_in_any_project("no-such-key").error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace agentsudo::server
