#include "server/auth/email_address.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server {
namespace {

TEST(EmailAddress, NormalizesCaseAndSpace) {
  EXPECT_EQ(*normalize_email("Ada@Example.COM"), "ada@example.com");
  EXPECT_EQ(*normalize_email("  ada@example.com\t\n"), "ada@example.com");
  EXPECT_EQ(*normalize_email("a+tag@sub.example.org"), "a+tag@sub.example.org");
  // Only ASCII letters fold; other bytes stay as they are.
  EXPECT_EQ(*normalize_email("ÄDA@example.com"), "Äda@example.com");
}

TEST(EmailAddress, RefusesWhatIsNotAnEmail) {
  const char* bad[] = {"",          "   ",       "ada",         "@example.com", "ada@",
                       "a@b@c.com", "a b@c.com", "a\x01@c.com", "a@c.com\x7f",  "a\t@c.com"};
  for (const char* email : bad) {
    auto result = normalize_email(email);
    ASSERT_FALSE(result) << email;
    EXPECT_EQ(result.error().kind, ErrorKind::kInvalidPayload);
    EXPECT_EQ(result.error().field, "email");
  }
}

TEST(EmailAddress, LengthLimit) {
  std::string local(254 - std::string("@example.com").size(), 'a');
  EXPECT_TRUE(normalize_email(local + "@example.com"));
  EXPECT_FALSE(normalize_email(local + "a@example.com"));
}

}  // namespace
}  // namespace agentsudo::server
