#include "server/service/token_service.hpp"

#include <gtest/gtest.h>

#include "server/auth/secret.hpp"
#include "temp_store.hpp"

namespace agentsudo::server {
namespace {

class TokenServiceTest : public testing::Test {
 protected:
  bool active(const std::string& plaintext) {
    auto answer = store_->projects->is_active_management_token(digest_secret(plaintext));
    EXPECT_TRUE(answer.ok());
    return answer.ok() && *answer;
  }

  TempStore store_;
  SystemClock clock_;
  TokenService tokens_{*store_->projects, clock_};
};

TEST_F(TokenServiceTest, TokensAreStoredAsDigestsAndListedWithoutTheSecret) {
  auto token = tokens_.create({std::string("deploy"), std::nullopt});
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_TRUE(token->plaintext.starts_with("asm_"));
  EXPECT_TRUE(token->plaintext.starts_with(token->record.prefix));
  EXPECT_LT(token->record.prefix.size(), token->plaintext.size());
  EXPECT_TRUE(active(token->plaintext));
  auto listed = tokens_.list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, token->record.id);
  EXPECT_EQ(listed->front().name, "deploy");
  EXPECT_FALSE(listed->front().revoked_at);
}

TEST_F(TokenServiceTest, ARevokedTokenIsRefusedAndCannotBeRevokedAgain) {
  auto kept = tokens_.create({});
  auto gone = tokens_.create({});
  ASSERT_TRUE(kept.ok() && gone.ok());
  auto revoked = tokens_.revoke(gone->record.id);
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(revoked->revoked_at);
  EXPECT_FALSE(active(gone->plaintext));
  EXPECT_TRUE(active(kept->plaintext));
  EXPECT_EQ(tokens_.revoke(gone->record.id).error().kind, ErrorKind::kConflict);
  EXPECT_EQ(tokens_.revoke("01890000-0000-7000-8000-000000000000").error().kind,
            ErrorKind::kNotFound);
}

TEST_F(TokenServiceTest, AnExpiredTokenIsRefused) {
  // The service's clock says the expiry is ahead; the store's says it passed.
  ManualClock long_ago{1'000'000};
  TokenService issued_long_ago(*store_->projects, long_ago);
  auto token = issued_long_ago.create({std::nullopt, 2'000'000});
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_FALSE(active(token->plaintext));
  auto later = tokens_.create({std::nullopt, clock_.now() + kMicrosPerDay});
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(active(later->plaintext));
}

TEST_F(TokenServiceTest, BadSettingsAreRefusedAndStoreNothing) {
  std::vector<std::pair<ManagementTokenSettings, std::string>> refused = {
      {{std::string(""), std::nullopt}, "name"},
      {{std::string(101, 'x'), std::nullopt}, "name"},
      {{std::string("a\nb"), std::nullopt}, "name"},
      {{std::nullopt, clock_.now() - 1}, "expires_at"},
  };
  for (const auto& [settings, field] : refused) {
    auto token = tokens_.create(settings);
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.error().kind, ErrorKind::kInvalidParameter);
    EXPECT_EQ(token.error().field, field);
  }
  EXPECT_TRUE(tokens_.list()->empty());
}

}  // namespace
}  // namespace agentsudo::server
