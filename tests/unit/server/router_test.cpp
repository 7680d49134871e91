#include "server/http/router.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server::http {
namespace {

Router<int> routes() {
  Router<int> router;
  router.add(Verb::post, "/ingest-event", 1);
  router.add(Verb::get, "/api/v1/projects/{id}/events", 2);
  router.add(Verb::delete_, "/api/v1/projects/{id}/events", 3);
  return router;
}

TEST(RouterTest, MatchesLiteralAndParameterisedPaths) {
  auto router = routes();
  EXPECT_EQ(*router.find(Verb::post, "/ingest-event").route, 1);
  auto match = router.find(Verb::get, "/api/v1/projects/abc/events");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(*match.route, 2);
  EXPECT_EQ(match.params, PathParams{"abc"});
}

TEST(RouterTest, WrongMethodListsTheAllowedOnes) {
  auto router = routes();
  auto match = router.find(Verb::put, "/api/v1/projects/abc/events");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allowed_methods, "GET, DELETE");
}

TEST(RouterTest, UnknownPathsMatchNothing) {
  auto router = routes();
  for (const char* path : {"/", "/ingest-event/", "/ingest", "/api/v1/projects//events",
                           "/api/v1/projects/a/b/events", "ingest-event/x"}) {
    auto match = router.find(Verb::post, path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_TRUE(match.allowed_methods.empty()) << path;
  }
}

}  // namespace
}  // namespace agentsudo::server::http
