#include "server/policy/policy_snapshot.hpp"

#include <gtest/gtest.h>

#include "server/policy/policy_preview.hpp"

namespace agentsudo::server {
namespace {

PolicySnapshot snapshot_with(std::vector<std::string> scopes) {
  Policy policy;
  policy.version = 7;
  policy.agents.push_back({"SupportBot", AgentSettings{std::move(scopes), "support", 60}});
  return PolicySnapshot(std::move(policy));
}

TEST(PolicySnapshot, NamesThePatternThatGrantedPreferringAnExactScope) {
  auto snapshot = snapshot_with({"read:*", "write:orders", "write:*"});
  auto read = snapshot.decide("SupportBot", "read:orders");
  EXPECT_TRUE(read.allowed);
  EXPECT_EQ(read.matched, "read:*");
  EXPECT_EQ(snapshot.decide("SupportBot", "write:orders").matched, "write:orders");
  EXPECT_EQ(snapshot.decide("SupportBot", "write:refunds").matched, "write:*");
}

TEST(PolicySnapshot, DeniesWithAReasonThatNamesTheScopeAndVersion) {
  auto snapshot = snapshot_with({"read:*"});
  auto denied = snapshot.decide("SupportBot", "delete:orders");
  EXPECT_FALSE(denied.allowed);
  EXPECT_FALSE(denied.matched.has_value());
  EXPECT_NE(denied.reason.find("delete:orders"), std::string::npos);
  EXPECT_NE(denied.reason.find("version 7"), std::string::npos);
}

TEST(PolicySnapshot, AnAgentNotInThePolicyIsDeniedEverything) {
  auto snapshot = snapshot_with({"*"});
  auto denied = snapshot.decide("Stranger", "read:orders");
  EXPECT_FALSE(denied.allowed);
  EXPECT_NE(denied.reason.find("not in the project's policy"), std::string::npos);
  // Names are exact: no case folding, no prefix.
  EXPECT_FALSE(snapshot.decide("supportbot", "read:orders").allowed);
}

TEST(PolicySnapshot, SerializesOnceWithAQuotedVersionAsETag) {
  auto snapshot = snapshot_with({"read:*"});
  EXPECT_EQ(snapshot.etag(), "\"7\"");
  EXPECT_EQ(snapshot.json(),
            R"({"version":7,"agents":[{"name":"SupportBot","scopes":["read:*"],"role":"support",)"
            R"("session_ttl_seconds":60}]})");
}

TEST(PolicyPreview, CountsGrantsLostAndDenialsLiftedPerScope) {
  std::vector<AgentScopeUsage> usage{
      {"write:orders", 5, 0}, {"read:orders", 3, 1}, {"admin:users", 4, 4}, {"admin:keys", 2, 2}};
  auto preview = preview_scopes(usage, {"read:*", "admin:*"});
  EXPECT_EQ(preview.calls, 14);
  EXPECT_EQ(preview.newly_denied, 5);
  EXPECT_EQ(preview.newly_granted, 1 + 4 + 2);
  ASSERT_EQ(preview.denied_scopes.size(), 1u);
  EXPECT_EQ(preview.denied_scopes[0].scope, "write:orders");
  ASSERT_EQ(preview.granted_scopes.size(), 3u);
  EXPECT_EQ(preview.granted_scopes[0].scope, "admin:users");  // most calls first
  EXPECT_EQ(preview.granted_scopes[2].calls, 1);
}

TEST(PolicyPreview, NoScopesDenyEverythingThatWasGranted) {
  std::vector<AgentScopeUsage> usage{{"a", 3, 1}, {"b", 2, 2}};
  auto preview = preview_scopes(usage, {});
  EXPECT_EQ(preview.newly_denied, 2);
  EXPECT_EQ(preview.newly_granted, 0);
  EXPECT_EQ(preview.denied_scopes.size(), 1u);  // "b" was never granted
}

}  // namespace
}  // namespace agentsudo::server
