// The shared scope vectors, run against ScopeSet and against glibc's fnmatch(3)
// so that the vectors themselves are known to say what fnmatch says.
#include "core/scope_pattern.hpp"

#include <fnmatch.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <random>
#include <sstream>

namespace agentsudo {
namespace {

struct ScopeVector {
  std::vector<std::string> held;
  std::string required;
  bool expected;
  std::string note;
};

std::vector<ScopeVector> load_vectors() {
  std::ifstream file(AGENTSUDO_VECTORS_DIR "/scopes.json");
  std::stringstream text;
  text << file.rdbuf();
  boost::json::value root = boost::json::parse(text.str());
  std::vector<ScopeVector> vectors;
  for (const auto& item : root.at("cases").as_array()) {
    ScopeVector vector;
    for (const auto& held : item.at("held").as_array()) {
      vector.held.emplace_back(held.as_string());
    }
    vector.required = std::string(item.at("required").as_string());
    vector.expected = item.at("expected").as_bool();
    vector.note = std::string(item.at("note").as_string());
    vectors.push_back(std::move(vector));
  }
  return vectors;
}

std::string describe(const ScopeVector& vector) {
  std::string held;
  for (const auto& scope : vector.held)
    held += "'" + scope + "' ";
  return vector.note + ": held [ " + held + "] required '" + vector.required + "'";
}

TEST(ScopeVectors, FileHasTheListedEdgeCases) {
  EXPECT_GE(load_vectors().size(), 60U);
}

TEST(ScopeVectors, AgreeWithGlibcFnmatch) {
  for (const ScopeVector& vector : load_vectors()) {
    bool granted = false;
    for (const std::string& pattern : vector.held) {
      granted = granted || fnmatch(pattern.c_str(), vector.required.c_str(), 0) == 0;
    }
    EXPECT_EQ(granted, vector.expected) << describe(vector);
  }
}

TEST(ScopeVectors, ScopeSetGivesTheExpectedAnswer) {
  for (const ScopeVector& vector : load_vectors()) {
    ScopeSet set(vector.held);
    EXPECT_EQ(set.allows(vector.required), vector.expected) << describe(vector);
  }
}

TEST(ScopeVectors, EachPatternAloneAgreesWithFnmatch) {
  for (const ScopeVector& vector : load_vectors()) {
    for (const std::string& pattern : vector.held) {
      bool glibc = fnmatch(pattern.c_str(), vector.required.c_str(), 0) == 0;
      EXPECT_EQ(ScopePattern(pattern).matches(vector.required), glibc)
          << "pattern '" << pattern << "' scope '" << vector.required << "'";
    }
  }
}

TEST(ScopePattern, LiteralPatternsAreRecognized) {
  EXPECT_TRUE(ScopePattern("read:orders").is_literal());
  EXPECT_TRUE(ScopePattern("read:\\*").is_literal());
  EXPECT_EQ(ScopePattern("read:\\*").literal_prefix(), "read:*");
  EXPECT_FALSE(ScopePattern("read:*").is_literal());
  EXPECT_EQ(ScopePattern("read:*").literal_prefix(), "read:");
  EXPECT_FALSE(ScopePattern("read:\\").is_literal());
}

TEST(ScopeSet, ManyPatternsWithSharedAndDistinctPrefixes) {
  std::vector<std::string> held;
  for (int i = 0; i < 100; ++i)
    held.push_back("tool" + std::to_string(i) + ":*");
  held.emplace_back("*:audit");
  ScopeSet set(held);
  EXPECT_TRUE(set.allows("tool42:run"));
  EXPECT_TRUE(set.allows("tool99:"));
  EXPECT_TRUE(set.allows("anything:audit"));
  EXPECT_FALSE(set.allows("tool100:run"));
  EXPECT_FALSE(set.allows("tool4"));
}

// match() names the held scope that granted: a table, one row per case,
// including the rows that match nothing.
TEST(ScopeSet, MatchNamesTheHeldScopeThatGranted) {
  const std::vector<std::string> held = {"read:orders", "read:*", "*:audit", "write:\\*",
                                         "read:orders"};
  ScopeSet set(held);
  struct Row {
    std::string required;
    std::uint32_t expected;
  };
  const std::vector<Row> rows = {
      {"read:orders", 0},  // A literal wins over a pattern that also matches.
      {"read:users", 1},   // The prefix index.
      {"ops:audit", 2},    // The suffix index.
      {"write:*", 3},      // An escaped literal, reported as written.
      {"write:orders", ScopeSet::kNoMatch},
      {"", ScopeSet::kNoMatch},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(set.match(row.required), row.expected) << row.required;
    EXPECT_EQ(set.allows(row.required), row.expected != ScopeSet::kNoMatch) << row.required;
  }
  std::vector<std::string> everything = {"read:x", "**", "*"};
  EXPECT_EQ(ScopeSet(everything).match("read:x"), 1U);
  EXPECT_EQ(ScopeSet(std::vector<std::string>{}).match("read:x"), ScopeSet::kNoMatch);
}

// Whatever match() reports must itself match: checked over random held sets.
TEST(ScopeSet, MatchedScopeAloneGrants) {
  const std::string pattern_alphabet = "ab:*?[]";
  const std::string scope_alphabet = "ab:";
  std::mt19937 random(777);
  auto pick = [&](const std::string& alphabet, int length) {
    std::string out;
    for (int i = 0; i < length; ++i)
      out += alphabet[random() % alphabet.size()];
    return out;
  };
  for (int i = 0; i < 5000; ++i) {
    std::vector<std::string> held;
    for (int n = static_cast<int>(random() % 5); n > 0; --n)
      held.push_back(pick(pattern_alphabet, 1 + static_cast<int>(random() % 5)));
    std::string scope = pick(scope_alphabet, static_cast<int>(random() % 6));
    std::uint32_t matched = ScopeSet(held).match(scope);
    if (matched == ScopeSet::kNoMatch)
      continue;
    ASSERT_LT(matched, held.size());
    ASSERT_EQ(fnmatch(held[matched].c_str(), scope.c_str(), 0), 0)
        << "'" << held[matched] << "' reported for '" << scope << "'";
  }
}

// Random patterns and scopes over a small alphabet, checked against glibc:
// the vectors cover the cases we thought of, this covers the others.
TEST(ScopePattern, RandomPatternsAgreeWithFnmatch) {
  const std::string pattern_alphabet = "ab:*?[]!^-\\";
  const std::string scope_alphabet = "ab:-[]\\!";
  std::mt19937 random(12345);
  auto pick = [&](const std::string& alphabet, int length) {
    std::string out;
    for (int i = 0; i < length; ++i)
      out += alphabet[random() % alphabet.size()];
    return out;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string pattern = pick(pattern_alphabet, static_cast<int>(random() % 7));
    std::string scope = pick(scope_alphabet, static_cast<int>(random() % 6));
    bool glibc = fnmatch(pattern.c_str(), scope.c_str(), 0) == 0;
    ASSERT_EQ(ScopePattern(pattern).matches(scope), glibc)
        << "pattern '" << pattern << "' scope '" << scope << "'";
  }
}

// Random sets of held patterns, so that prefix- and suffix-indexed patterns
// mix, checked against "any pattern matches" by glibc.
TEST(ScopeSet, RandomHeldSetsAgreeWithFnmatch) {
  const std::string pattern_alphabet = "ab:*?[]!";
  const std::string scope_alphabet = "ab:";
  std::mt19937 random(54321);
  auto pick = [&](const std::string& alphabet, int length) {
    std::string out;
    for (int i = 0; i < length; ++i)
      out += alphabet[random() % alphabet.size()];
    return out;
  };
  for (int i = 0; i < 5000; ++i) {
    std::vector<std::string> held;
    for (int n = static_cast<int>(random() % 5); n > 0; --n)
      held.push_back(pick(pattern_alphabet, 1 + static_cast<int>(random() % 5)));
    ScopeSet set(held);
    std::string scope = pick(scope_alphabet, static_cast<int>(random() % 6));
    bool glibc = std::any_of(held.begin(), held.end(), [&](const std::string& pattern) {
      return fnmatch(pattern.c_str(), scope.c_str(), 0) == 0;
    });
    ASSERT_EQ(set.allows(scope), glibc) << "scope '" << scope << "' against " << held.size();
  }
}

}  // namespace
}  // namespace agentsudo
