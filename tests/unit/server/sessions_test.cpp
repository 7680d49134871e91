#include "server/auth/sessions.hpp"

#include <gtest/gtest.h>

#include "server/auth/password.hpp"
#include "server/store/sqlite/database.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

constexpr UnixMicros kSecond = 1'000'000;
constexpr UnixMicros kStart = 1'800'000'000 * kSecond;

class SessionsTest : public testing::Test {
 protected:
  void SetUp() override {
    auto user =
        store_->accounts->create_user(NewUser{"ada@example.com", "$argon2id$x", false, false});
    ASSERT_TRUE(user.ok()) << user.error().message;
    user_ = *user;
  }

  TempStore store_;
  ManualClock clock_{kStart};
  Sessions sessions_{*store_->accounts, clock_, std::chrono::seconds(3600)};
  User user_;
};

TEST_F(SessionsTest, StartResumeEnd) {
  auto started = sessions_.start(user_);
  ASSERT_TRUE(started.ok());
  EXPECT_TRUE(started->token.starts_with("ass_"));
  EXPECT_TRUE(started->csrf_token.starts_with("csrf_"));
  EXPECT_EQ(started->expires_at, kStart + 3600 * kSecond);

  auto resumed = sessions_.resume(started->token);
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_EQ(resumed->user.id, user_.id);
  EXPECT_EQ(resumed->csrf_token, started->csrf_token);

  ASSERT_TRUE(sessions_.end(started->token));
  auto ended = sessions_.resume(started->token);
  ASSERT_FALSE(ended);
  EXPECT_EQ(ended.error().kind, ErrorKind::kUnauthorized);
}

TEST_F(SessionsTest, ExpiresAfterTheTtlWithoutUse) {
  auto started = sessions_.start(user_);
  ASSERT_TRUE(started.ok());
  clock_.advance(3599 * kSecond);
  EXPECT_TRUE(sessions_.resume(started->token).ok());
  clock_.advance(3600 * kSecond);
  EXPECT_FALSE(sessions_.resume(started->token).ok());
}

TEST_F(SessionsTest, UseSlidesTheExpiry) {
  auto started = sessions_.start(user_);
  ASSERT_TRUE(started.ok());
  for (int i = 0; i < 5; ++i) {
    clock_.advance(3000 * kSecond);  // 5 × 50 min: far past one TTL
    auto resumed = sessions_.resume(started->token);
    ASSERT_TRUE(resumed.ok()) << i;
    EXPECT_EQ(resumed->expires_at, clock_.now() + 3600 * kSecond);
  }
  clock_.advance(3601 * kSecond);
  EXPECT_FALSE(sessions_.resume(started->token).ok());
}

TEST_F(SessionsTest, ForgedAndMalformedTokensAreRefused) {
  ASSERT_TRUE(sessions_.start(user_).ok());
  for (std::string token : {std::string(), std::string("ass_"), std::string("ass_forged"),
                            std::string("asm_x"), std::string("ass_") + std::string(500, 'a')}) {
    auto resumed = sessions_.resume(token);
    ASSERT_FALSE(resumed) << token;
    EXPECT_EQ(resumed.error().kind, ErrorKind::kUnauthorized);
  }
}

TEST_F(SessionsTest, OnlyTheDigestIsStored) {
  auto started = sessions_.start(user_);
  ASSERT_TRUE(started.ok());
  if (store_.is_postgres()) {
    auto db = postgres::Connection::open(store_.database_url());
    auto found = db->exec("SELECT count(*) FROM sessions WHERE position($1 IN token_hash) > 0",
                          postgres::Params().add_bytes(started->token));
    EXPECT_EQ(found.int64(0, 0), 0);
    EXPECT_EQ(db->exec("SELECT octet_length(token_hash) FROM sessions").int64(0, 0), 32);
    return;
  }
  auto db = sqlite::Database::open(store_.dir() / "agentsudo.db");
  auto row = db->prepare_cached("SELECT count(*) FROM sessions WHERE instr(token_hash, ?) > 0");
  row->bind(1, started->token);
  ASSERT_TRUE(row->step());
  EXPECT_EQ(row->column_int64(0), 0);
  auto digest = db->prepare_cached("SELECT length(token_hash) FROM sessions");
  ASSERT_TRUE(digest->step());
  EXPECT_EQ(digest->column_int64(0), 32);
}

TEST_F(SessionsTest, DeletingTheUserEndsTheirSessions) {
  auto admin =
      store_->accounts->create_user(NewUser{"root@example.com", "$argon2id$x", true, false});
  ASSERT_TRUE(admin.ok());
  auto started = sessions_.start(user_);
  ASSERT_TRUE(started.ok());
  ASSERT_TRUE(store_->accounts->delete_user(user_.id));
  EXPECT_FALSE(sessions_.resume(started->token).ok());
}

}  // namespace
}  // namespace agentsudo::server
