#include "server/api/dashboard_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace agentsudo::server::api {
namespace {

namespace fs = std::filesystem;

http::Request get(std::string target, std::string accept = "text/html") {
  http::Request request{http::Verb::get, target, 11};
  request.set(http::Field::accept, accept);
  return request;
}

class DashboardFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("agentsudo-dashboard-" +
             std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "web" / "assets");
    write(root_ / "web" / "index.html", "<!doctype html>");
    write(root_ / "web" / "assets" / "app-123.js", "js");
    write(root_ / "outside.txt", "secret");
  }
  void TearDown() override { fs::remove_all(root_); }

  static void write(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }

  fs::path root_;
};

TEST(ContentTypeTest, KnownExtensionsAndAFallback) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("a/b/app-1.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("blob"), "application/octet-stream");
  EXPECT_EQ(content_type_for("x.exe"), "application/octet-stream");
}

TEST(DecodePathSegmentTest, DecodesAndRefusesWhatNoFileNameHolds) {
  struct Row {
    std::string in;
    bool ok;
    std::string out;
  };
  const Row rows[] = {
      {"app.js", true, "app.js"}, {"a%20b", true, "a b"}, {"%2e%2e", true, ".."},
      {"%2F", false, ""},         {"a%2fb", false, ""},   {"%5c", false, ""},
      {"a\\b", false, ""},        {"%00", false, ""},     {"%", false, ""},
      {"%4", false, ""},          {"%zz", false, ""},     {"%E2%9C%93", true, "\xE2\x9C\x93"},
  };
  for (const auto& row : rows) {
    auto decoded = decode_path_segment(row.in);
    EXPECT_EQ(decoded.ok(), row.ok) << row.in;
    if (row.ok && decoded.ok()) {
      EXPECT_EQ(*decoded, row.out) << row.in;
    }
  }
}

TEST_F(DashboardFilesTest, ServesFilesAndFallsBackToTheAppForPages) {
  DashboardFiles files(root_ / "web");
  auto index = files.serve(get("/"));
  EXPECT_EQ(index.result_int(), 200u);
  EXPECT_EQ(index.body(), "<!doctype html>");
  EXPECT_EQ(index[http::Field::cache_control], "no-cache");
  EXPECT_NE(index["Content-Security-Policy"].find("default-src 'self'"), std::string::npos);

  auto asset = files.serve(get("/assets/app-123.js", "*/*"));
  EXPECT_EQ(asset.result_int(), 200u);
  EXPECT_NE(asset[http::Field::cache_control].find("immutable"), std::string::npos);

  EXPECT_EQ(files.serve(get("/projects/x/audit?agent_name=a")).body(), "<!doctype html>");
  EXPECT_EQ(files.serve(get("/projects/x/audit", "application/json")).result_int(), 404u);
  EXPECT_EQ(files.serve(get("/assets/missing.js")).result_int(), 404u);
}

TEST_F(DashboardFilesTest, NeverLeavesItsDirectory) {
  DashboardFiles files(root_ / "web");
  for (const char* target : {"/../outside.txt", "/assets/../../outside.txt", "/%2e%2e/outside.txt",
                             "/assets/%2e%2e%2f%2e%2e%2foutside.txt", "/.%2e/outside.txt"}) {
    auto response = files.serve(get(target, "*/*"));
    EXPECT_EQ(response.result_int(), 404u) << target;
    EXPECT_EQ(response.body().find("secret"), std::string::npos) << target;
  }
}

TEST_F(DashboardFilesTest, SaysWhenTheDashboardIsNotBuilt) {
  DashboardFiles files(root_ / "nowhere");
  auto response = files.serve(get("/"));
  EXPECT_EQ(response.result_int(), 503u);
  EXPECT_NE(response.body().find("not built"), std::string::npos);
  EXPECT_EQ(DashboardFiles(std::nullopt).serve(get("/")).result_int(), 503u);
}

TEST(DashboardClaimsTest, OnlyGetsOutsideTheApi) {
  EXPECT_TRUE(DashboardFiles::claims(get("/")));
  EXPECT_TRUE(DashboardFiles::claims(get("/settings?x=1")));
  EXPECT_FALSE(DashboardFiles::claims(get("/api/v1/anything")));
  EXPECT_FALSE(DashboardFiles::claims(get("/api")));
  http::Request post{http::Verb::post, "/", 11};
  EXPECT_FALSE(DashboardFiles::claims(post));
}

}  // namespace
}  // namespace agentsudo::server::api
