// The shared scope vectors (tests/vectors/scopes.json, also run by the SDK's
// tests) through the server's copy of the matcher, so both agree on grants.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "core/scope_pattern.hpp"

namespace agentsudo {
namespace {

boost::json::value load_vectors() {
  std::ifstream file(AGENTSUDO_VECTORS_DIR "/scopes.json");
  std::stringstream text;
  text << file.rdbuf();
  return boost::json::parse(text.str());
}

TEST(ScopeVectors, ServerMatcherAgreesWithEveryVector) {
  auto root = load_vectors();
  const auto& cases = root.at("cases").as_array();
  ASSERT_GE(cases.size(), 60U);
  for (const auto& item : cases) {
    std::vector<std::string> held;
    for (const auto& scope : item.at("held").as_array())
      held.emplace_back(scope.as_string());
    std::string required(item.at("required").as_string());
    bool expected = item.at("expected").as_bool();
    EXPECT_EQ(ScopeSet(held).allows(required), expected)
        << item.at("note").as_string() << ": required '" << required << "'";
    bool any = false;
    for (const auto& pattern : held)
      any = any || ScopePattern(pattern).matches(required);
    EXPECT_EQ(any, expected) << "pattern by pattern: " << item.at("note").as_string();
  }
}

}  // namespace
}  // namespace agentsudo
