#include "server/agents/agent_settings.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server {
namespace {

struct ScopeCase {
  std::vector<std::string> scopes;
  bool valid;
  std::optional<std::size_t> index;  // of the refused scope
};

TEST(AgentSettings, ScopePatterns) {
  const ScopeCase cases[] = {
      {{}, true, std::nullopt},
      {{"read:orders", "read:*", "*", "write:orders*"}, true, std::nullopt},
      {{"[rw]ead:?", "[!x]*", "[^x]y", "a\\*b", "[[:alpha:]]*", "[]]x", "[a-z]"},
       true,
       std::nullopt},
      {{"ok", "read:[orders"}, false, 1},
      {{"trailing\\"}, false, 0},
      {{"[[:alpha:]"}, false, 0},
      {{"ok", ""}, false, 1},
      {{std::string(256, 's')}, true, std::nullopt},
      {{"ok", "ok", std::string(257, 's')}, false, 2},
      {{"bell\a"}, false, 0},
      {{"del\x7f"}, false, 0},
      {{"c1\xc2\x85"}, false, 0},
  };
  for (const auto& c : cases) {
    auto status = validate_scopes(c.scopes);
    EXPECT_EQ(status.ok(), c.valid) << (c.scopes.empty() ? "" : c.scopes.back());
    if (!status) {
      EXPECT_EQ(status.error().kind, ErrorKind::kInvalidPayload);
      EXPECT_EQ(status.error().field, "scopes");
      EXPECT_EQ(status.error().index, c.index);
    }
  }
}

TEST(AgentSettings, AtMostTwoHundredScopes) {
  std::vector<std::string> scopes(200, "read:*");
  EXPECT_TRUE(validate_scopes(scopes));
  scopes.push_back("read:*");
  EXPECT_FALSE(validate_scopes(scopes));
}

TEST(AgentSettings, NameRoleTtl) {
  EXPECT_TRUE(validate_agent_name("SupportBot"));
  EXPECT_TRUE(validate_agent_name(std::string(200, 'a')));
  EXPECT_EQ(validate_agent_name(std::string(201, 'a')).error().field, "name");
  EXPECT_EQ(validate_agent_name("").error().field, "name");
  EXPECT_EQ(validate_agent_name("a\nb").error().field, "name");
  EXPECT_TRUE(validate_role("worker"));
  EXPECT_EQ(validate_role("").error().field, "role");
  EXPECT_EQ(validate_role(std::string(65, 'r')).error().field, "role");
  EXPECT_TRUE(validate_session_ttl(1));
  EXPECT_TRUE(validate_session_ttl(kMaxSessionTtlSeconds));
  EXPECT_EQ(validate_session_ttl(0).error().field, "session_ttl_seconds");
  EXPECT_FALSE(validate_session_ttl(-1));
  EXPECT_FALSE(validate_session_ttl(kMaxSessionTtlSeconds + 1));
}

}  // namespace
}  // namespace agentsudo::server
