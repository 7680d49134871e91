// The policy as the server sends it and as the cache file keeps it: what is
// accepted, what is refused, and files that are torn or altered.
#include "sdk/policy_document.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sdk/json_reader.hpp"
#include "sdk/policy_cache_file.hpp"

namespace agentsudo {
namespace {

using namespace std::chrono_literals;

TEST(PolicyDocument, ReadsTheServersBody) {
  std::string error;
  auto document = parse_policy_document(
      R"({"version": 12, "extra": {"ignored": [1, 2.5e3, null, true]},
          "agents": [{"name": "SupportBot", "scopes": ["read:*", "write:\u00e9t\u00e9"],
                      "role": "support", "session_ttl_seconds": 60},
                     {"name": "Other", "scopes": []}]})",
      &error);
  ASSERT_TRUE(document) << error;
  EXPECT_EQ(document->version, 12);
  ASSERT_EQ(document->agents.size(), 2U);
  EXPECT_EQ(document->agents[0].scopes[1], "write:\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(document->agents[0].role, "support");
  EXPECT_EQ(document->agents[0].session_ttl, 60s);
  EXPECT_EQ(document->find("Other")->role, "worker");
  EXPECT_EQ(document->find("Other")->session_ttl, 3600s);
  EXPECT_EQ(document->find("Nobody"), nullptr);
}

TEST(PolicyDocument, RefusesWhatIsNotAPolicy) {
  const std::vector<std::string> bodies = {
      "",
      "[]",
      R"({"agents": []})",
      R"({"version": -1, "agents": []})",
      R"({"version": 1.5, "agents": []})",
      R"({"version": "1", "agents": []})",
      R"({"version": 1})",
      R"({"version": 1, "agents": {}})",
      R"({"version": 1, "agents": [{"scopes": []}]})",
      R"({"version": 1, "agents": [{"name": "", "scopes": []}]})",
      R"({"version": 1, "agents": [{"name": "a", "scopes": "read:*"}]})",
      R"({"version": 1, "agents": [{"name": "a", "scopes": [1]}]})",
      R"({"version": 1, "agents": [{"name": "a", "scopes": [], "session_ttl_seconds": 0}]})",
      R"({"version": 1, "agents": [{"name": "a\u0000b", "scopes": []}]})",
      R"({"version": 1, "agents": []} trailing)",
      R"({"version": 1, "agents": [)",
      R"({"version": 1, "agents": []})" + std::string(1, '\0'),
  };
  for (const std::string& body : bodies) {
    std::string error;
    EXPECT_FALSE(parse_policy_document(body, &error)) << body;
    EXPECT_FALSE(error.empty()) << body;
  }
}

TEST(JsonReader, RejectsDeepNestingAndBadEscapes) {
  EXPECT_FALSE(parse_json(std::string(40, '[') + std::string(40, ']')));
  EXPECT_TRUE(parse_json(std::string(30, '[') + std::string(30, ']')));
  EXPECT_FALSE(parse_json(R"("\ud800")"));
  EXPECT_FALSE(parse_json(R"("\x")"));
  EXPECT_FALSE(parse_json("01"));
  EXPECT_EQ(parse_json(R"("\ud83d\ude00")")->string(), "\xf0\x9f\x98\x80");
  EXPECT_EQ(parse_json("9223372036854775807")->integer(), INT64_MAX);
}

class PolicyCache : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("agentsudo-cache-test-" + std::to_string(::getpid()));
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::string content() const {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void overwrite(const std::string& text) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << text;
  }

  std::filesystem::path path_;
  const std::string body_ = R"({"version": 4, "agents": [{"name": "a", "scopes": ["x:*"]}]})";
};

TEST_F(PolicyCache, SavesAndLoads) {
  std::string error;
  ASSERT_TRUE(PolicyCacheFile(path_).save(body_, 1234567, &error)) << error;
  auto cached = PolicyCacheFile(path_).load(&error);
  ASSERT_TRUE(cached) << error;
  EXPECT_EQ(cached->document.version, 4);
  EXPECT_EQ(cached->body, body_);
  EXPECT_EQ(cached->saved_at_us, 1234567);
  // Replaced whole, and no temporary file left beside it.
  ASSERT_TRUE(PolicyCacheFile(path_).save(R"({"version": 5, "agents": []})", 1, &error));
  EXPECT_EQ(PolicyCacheFile(path_).load(&error)->document.version, 5);
  for (const auto& entry : std::filesystem::directory_iterator(path_.parent_path()))
    EXPECT_EQ(entry.path().string().find(path_.string() + ".tmp"), std::string::npos);
}

TEST_F(PolicyCache, RefusesTornAlteredAndForeignFiles) {
  ASSERT_TRUE(PolicyCacheFile(path_).save(body_, 1, nullptr));
  const std::string whole = content();
  struct Row {
    std::string text;
    std::string reason;
  };
  std::string altered = whole;
  altered[altered.find("x:*") + 2] = '?';
  const std::vector<Row> rows = {
      {whole.substr(0, whole.size() - 5), "torn"},
      {whole.substr(0, whole.find('\n')), "not a policy cache file"},
      {altered, "checksum"},
      {"garbage", "not a policy cache file"},
      {"agentsudo-policy-cache v1 x 3 0\nabc", "malformed header"},
      {"", "not a policy cache file"},
  };
  for (const Row& row : rows) {
    overwrite(row.text);
    std::string error;
    EXPECT_FALSE(PolicyCacheFile(path_).load(&error)) << row.text;
    EXPECT_NE(error.find(row.reason), std::string::npos) << error;
  }
  std::filesystem::remove(path_);
  std::string error;
  EXPECT_FALSE(PolicyCacheFile(path_).load(&error));
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
}

TEST_F(PolicyCache, SaveFailsCleanlyWhereItCannotWrite) {
  std::string error;
  EXPECT_FALSE(PolicyCacheFile("/nonexistent-dir/policy.cache").save(body_, 1, &error));
  EXPECT_NE(error.find("cannot create"), std::string::npos) << error;
}

}  // namespace
}  // namespace agentsudo
