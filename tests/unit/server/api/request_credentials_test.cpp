#include "server/api/request_credentials.hpp"

#include <gtest/gtest.h>

namespace agentsudo::server::api {
namespace {

TEST(RequestCredentials, CookieValue) {
  EXPECT_EQ(cookie_value("agentsudo_session=ass_x", "agentsudo_session"), "ass_x");
  EXPECT_EQ(cookie_value("a=1; agentsudo_session=ass_x; b=2", "agentsudo_session"), "ass_x");
  EXPECT_EQ(cookie_value("a=1;agentsudo_session = ass_x ;b=2", "agentsudo_session"), "ass_x");
  EXPECT_EQ(cookie_value("x_agentsudo_session=ass_y", "agentsudo_session"), "");
  EXPECT_EQ(cookie_value("agentsudo_session_old=ass_y", "agentsudo_session"), "");
  EXPECT_EQ(cookie_value("", "agentsudo_session"), "");
  EXPECT_EQ(cookie_value(";;;", "agentsudo_session"), "");
  EXPECT_EQ(cookie_value("agentsudo_session", "agentsudo_session"), "");
  EXPECT_EQ(cookie_value("agentsudo_session=", "agentsudo_session"), "");
}

TEST(RequestCredentials, StateChangingMethods) {
  for (auto [method, changes] : {std::pair{http::Verb::get, false},
                                 {http::Verb::head, false},
                                 {http::Verb::options, false},
                                 {http::Verb::post, true},
                                 {http::Verb::put, true},
                                 {http::Verb::patch, true},
                                 {http::Verb::delete_, true}}) {
    http::Request request{method, "/api/v1/projects", 11};
    request.set(http::Field::cookie, "agentsudo_session=ass_x");
    request.set("X-CSRF-Token", "csrf_y");
    auto credentials = credentials_of(request);
    EXPECT_EQ(credentials.changes_state, changes) << request.method_string();
    EXPECT_EQ(credentials.session_token, "ass_x");
    EXPECT_EQ(credentials.csrf_token, "csrf_y");
  }
}

}  // namespace
}  // namespace agentsudo::server::api
