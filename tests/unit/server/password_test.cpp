#include "server/auth/password.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace agentsudo::server {
namespace {

TEST(Password, LengthBounds) {
  EXPECT_FALSE(validate_password(""));
  EXPECT_FALSE(validate_password(std::string(9, 'x')));
  EXPECT_TRUE(validate_password(std::string(10, 'x')));
  EXPECT_TRUE(validate_password(std::string(1024, 'x')));
  auto too_long = validate_password(std::string(1025, 'x'));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().kind, ErrorKind::kInvalidPayload);
  EXPECT_EQ(too_long.error().field, "password");
}

TEST(Password, HashIsSaltedArgon2idAndVerifies) {
  ASSERT_GE(sodium_init(), 0);
  auto first = hash_password("correct horse battery");
  auto second = hash_password("correct horse battery");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(first->starts_with("$argon2id$")) << *first;
  EXPECT_NE(*first, *second) << "each hash has its own salt";
  EXPECT_EQ(first->find("correct horse"), std::string::npos);
  EXPECT_TRUE(verify_password(*first, "correct horse battery"));
  EXPECT_TRUE(verify_password(*second, "correct horse battery"));
  EXPECT_FALSE(verify_password(*first, "correct horse batterz"));
  EXPECT_FALSE(verify_password(*first, ""));
  EXPECT_FALSE(verify_password("not a hash", "correct horse battery"));
  EXPECT_FALSE(verify_password("", ""));
}

TEST(Password, EmbeddedNulIsPartOfThePassword) {
  ASSERT_GE(sodium_init(), 0);
  std::string with_nul("secret\0tail1", 12);
  auto hash = hash_password(with_nul);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(verify_password(*hash, with_nul));
  EXPECT_FALSE(verify_password(*hash, "secret"));
}

}  // namespace
}  // namespace agentsudo::server
