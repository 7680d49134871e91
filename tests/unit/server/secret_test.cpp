#include "server/auth/secret.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace agentsudo::server {
namespace {

class SecretTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
};

TEST_F(SecretTest, ApiKeysHaveThePrefixAndEnoughRandomCharacters) {
  IssuedSecret key = issue_secret(kApiKeyPrefix);
  ASSERT_EQ(key.plaintext.substr(0, 3), "as_");
  EXPECT_GE(key.plaintext.size() - 3, 32u);
  for (char c : key.plaintext.substr(3)) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
  }
}

TEST_F(SecretTest, DigestMatchesAndPrefixIsShort) {
  IssuedSecret key = issue_secret(kApiKeyPrefix);
  EXPECT_EQ(key.digest, digest_secret(key.plaintext));
  EXPECT_NE(key.digest, digest_secret(key.plaintext + "x"));
  EXPECT_EQ(key.display_prefix, key.plaintext.substr(0, key.display_prefix.size()));
  EXPECT_LT(key.display_prefix.size(), 12u);
}

TEST_F(SecretTest, EveryKeyIsNew) {
  EXPECT_NE(issue_secret(kApiKeyPrefix).plaintext, issue_secret(kApiKeyPrefix).plaintext);
  EXPECT_EQ(issue_secret(kManagementTokenPrefix).plaintext.substr(0, 4), "asm_");
}

}  // namespace
}  // namespace agentsudo::server
