#include "server/auth/setup_token.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace agentsudo::server {
namespace {

TEST(SetupToken, MatchesOnlyTheLatestToken) {
  ASSERT_GE(sodium_init(), 0);
  SetupToken setup;
  EXPECT_FALSE(setup.matches("")) << "nothing issued yet";
  EXPECT_FALSE(setup.matches("setup_anything"));
  std::string first = setup.issue();
  EXPECT_TRUE(first.starts_with("setup_"));
  EXPECT_TRUE(setup.matches(first));
  EXPECT_FALSE(setup.matches(first.substr(0, first.size() - 1)));
  EXPECT_FALSE(setup.matches(first + "x"));
  std::string second = setup.issue();
  EXPECT_NE(first, second);
  EXPECT_FALSE(setup.matches(first));
  EXPECT_TRUE(setup.matches(second));
}

}  // namespace
}  // namespace agentsudo::server
