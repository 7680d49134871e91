// CachedProjectStore over a real SQLite file: found keys are answered from
// memory, and every change to them is seen by the very next lookup, whether
// made through the cache, beside it, or by another process (here: a second
// store opened on the same directory, with its own mapping of the
// generation file and its own connections).
#include "server/store/cached_project_store.hpp"

#include <gtest/gtest.h>

#include "server/auth/secret.hpp"
#include "server/service/key_service.hpp"
#include "server/service/project_service.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

class CachedProjectStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    auto created = ProjectService(cached_).create("cached", Tier{"free", 1000});
    ASSERT_TRUE(created.ok());
    project_ = created->project;
    key_ = created->key;
    auto other = sqlite::open_sqlite_store(store_.dir(), 1);
    ASSERT_TRUE(other.ok()) << other.error().message;
    other_process_ = std::move(*other);
  }

  Result<KeyOwner> lookup(const std::string& plaintext) {
    return cached_.find_key_owner(digest_secret(plaintext));
  }

  // Looks the key up twice, so that it is in the cache (and checks it is).
  void warm(const std::string& plaintext) {
    std::uint64_t hits = hits_.value();
    ASSERT_TRUE(lookup(plaintext).ok());
    ASSERT_TRUE(lookup(plaintext).ok());
    ASSERT_EQ(hits_.value(), hits + 1);
  }

  TempStore store_;
  Counter hits_;
  Counter misses_;
  CachedProjectStore cached_{*store_->projects, store_->credentials_generation, {hits_, misses_}};
  StoreSet other_process_;
  Project project_;
  IssuedApiKey key_;
};

TEST_F(CachedProjectStoreTest, AnswersAFoundKeyFromMemoryTheSecondTime) {
  auto first = lookup(key_.plaintext);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(misses_.value(), 1U);
  EXPECT_EQ(hits_.value(), 0U);
  auto second = lookup(key_.plaintext);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(hits_.value(), 1U);
  EXPECT_EQ(second->project_id, project_.id);
  EXPECT_EQ(second->project_rowid, first->project_rowid);
  EXPECT_EQ(second->daily_quota, 1000);
  EXPECT_EQ(second->key_rowid, first->key_rowid);
}

TEST_F(CachedProjectStoreTest, AsksTheStoreForAnUnknownKeyEveryTime) {
  std::string unknown = "as_this_key_was_never_issued_0000000000000";
  for (int i = 0; i < 3; ++i) {
    auto owner = lookup(unknown);
    ASSERT_FALSE(owner.ok());
    EXPECT_EQ(owner.error().kind, ErrorKind::kInvalidApiKey);
  }
  EXPECT_EQ(misses_.value(), 3U);
  EXPECT_EQ(hits_.value(), 0U);
}

TEST_F(CachedProjectStoreTest, AKeyCreatedByAnotherProcessWorksAtOnce) {
  warm(key_.plaintext);
  auto created = KeyService(*other_process_.projects).create(project_.id);
  ASSERT_TRUE(created.ok());
  auto owner = lookup(created->plaintext);
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(owner->project_id, project_.id);
}

TEST_F(CachedProjectStoreTest, ARevocationThroughTheCacheIsSeenByTheNextLookup) {
  warm(key_.plaintext);
  ASSERT_TRUE(KeyService(cached_).revoke(project_.id, key_.record.id).ok());
  auto owner = lookup(key_.plaintext);
  ASSERT_FALSE(owner.ok());
  EXPECT_EQ(owner.error().kind, ErrorKind::kInvalidApiKey);
}

TEST_F(CachedProjectStoreTest, ARevocationByAnotherProcessIsSeenByTheNextLookup) {
  warm(key_.plaintext);
  ASSERT_TRUE(KeyService(*other_process_.projects).revoke_in_any_project(key_.record.id).ok());
  auto owner = lookup(key_.plaintext);
  ASSERT_FALSE(owner.ok());
  EXPECT_EQ(owner.error().kind, ErrorKind::kInvalidApiKey);
}

TEST_F(CachedProjectStoreTest, ARotationByAnotherProcessIsSeenByTheNextLookup) {
  warm(key_.plaintext);
  auto rotated = KeyService(*other_process_.projects).rotate_in_any_project(key_.record.id);
  ASSERT_TRUE(rotated.ok());
  EXPECT_FALSE(lookup(key_.plaintext).ok());
  EXPECT_TRUE(lookup(rotated->plaintext).ok());
}

TEST_F(CachedProjectStoreTest, ATierChangeByAnotherProcessIsSeenByTheNextLookup) {
  warm(key_.plaintext);
  ASSERT_TRUE(
      ProjectService(*other_process_.projects).update(project_.id, {{}, Tier{"pro", 77}, {}}).ok());
  auto owner = lookup(key_.plaintext);
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(owner->daily_quota, 77);
}

TEST_F(CachedProjectStoreTest, DeletingTheProjectInAnotherProcessIsSeenByTheNextLookup) {
  warm(key_.plaintext);
  ASSERT_TRUE(other_process_.projects->delete_project(project_.id).ok());
  EXPECT_FALSE(lookup(key_.plaintext).ok());
}

TEST_F(CachedProjectStoreTest, KeysOfOtherProjectsAreCachedAgainAfterAChange) {
  auto other = ProjectService(cached_).create("other", Tier{"free", 5});
  ASSERT_TRUE(other.ok());
  warm(key_.plaintext);
  ASSERT_TRUE(KeyService(cached_).revoke(other->project.id, other->key.record.id).ok());
  warm(key_.plaintext);
}

// A generation that a change advances while a store read is under way.
class GenerationMovingDuringReads final : public CredentialsGeneration {
 public:
  std::uint64_t current() const override { return reads_++ < moving_reads_ ? reads_ : 100; }
  void advance() override {}
  void move_for(std::uint64_t reads) { moving_reads_ = reads; }

 private:
  mutable std::uint64_t reads_ = 0;
  std::uint64_t moving_reads_ = 0;
};

TEST_F(CachedProjectStoreTest, DoesNotKeepAnAnswerReadWhileTheGenerationMoved) {
  auto generation = std::make_shared<GenerationMovingDuringReads>();
  CachedProjectStore cached(*store_->projects, generation, {hits_, misses_});
  generation->move_for(2);  // the first lookup sees 1 before its read and 2 after
  ASSERT_TRUE(cached.find_key_owner(digest_secret(key_.plaintext)).ok());
  ASSERT_TRUE(cached.find_key_owner(digest_secret(key_.plaintext)).ok());
  EXPECT_EQ(hits_.value(), 0U);
  ASSERT_TRUE(cached.find_key_owner(digest_secret(key_.plaintext)).ok());
  EXPECT_EQ(hits_.value(), 1U);
}

}  // namespace
}  // namespace agentsudo::server
