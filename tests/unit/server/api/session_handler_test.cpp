// SessionHandler called directly: the current session, logging out (which
// succeeds even without a session), and setup once it is done.

#include "server/api/session_handler.hpp"

#include <gtest/gtest.h>

#include "handler_fixture.hpp"
#include "server/auth/login_throttle.hpp"
#include "server/auth/password_hasher.hpp"
#include "server/auth/setup_token.hpp"

namespace agentsudo::server::api {
namespace {

class SessionHandlerTest : public HandlerTest {
 protected:
  PasswordHasher hasher_{1};
  LoginThrottle throttle_{clock_};
  SetupToken setup_;
  Accounts accounts_{*store_->accounts, hasher_, throttle_, sessions_, setup_};
  Counter throttled_logins_;
  SessionHandler handler_{accounts_, access_, sessions_, CookiePolicy{}, throttled_logins_};
};

TEST_F(SessionHandlerTest, CurrentNeedsCredentials) {
  auto answer = handler_.current(request(Caller::kNobody, http::Verb::get, "/api/v1/session"));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(status_of(answer), 401U);
}

TEST_F(SessionHandlerTest, CurrentRefusesAnIngestKey) {
  auto answer = handler_.current(request(Caller::kIngestKey, http::Verb::get, "/api/v1/session"));
  EXPECT_EQ(status_of(answer), 403U);
}

TEST_F(SessionHandlerTest, CurrentNamesTheUserAndSlidesTheCookie) {
  auto answer = handler_.current(request(Caller::kMember, http::Verb::get, "/api/v1/session"));
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  auto body = body_of(*answer);
  EXPECT_EQ(body.at("user").at("email").as_string(), member_.email);
  EXPECT_EQ(body.at("csrf_token").as_string(), member_session_.csrf_token);
  EXPECT_NE((*answer)[http::Field::set_cookie].find(member_session_.token), std::string::npos);
}

TEST_F(SessionHandlerTest, AnOperatorHasNoUser) {
  auto answer = handler_.current(request(Caller::kOperator, http::Verb::get, "/api/v1/session"));
  ASSERT_TRUE(answer.ok());
  auto body = body_of(*answer);
  EXPECT_TRUE(body.at("user").is_null());
  EXPECT_TRUE(body.at("csrf_token").is_null());
  EXPECT_TRUE((*answer)[http::Field::set_cookie].empty());
}

TEST_F(SessionHandlerTest, LoggingOutWithoutASessionStillClearsTheCookie) {
  auto answer = handler_.log_out(request(Caller::kNobody, http::Verb::delete_, "/api/v1/session"));
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->result_int(), 204U);
  EXPECT_NE((*answer)[http::Field::set_cookie].find("Max-Age=0"), std::string::npos);
}

TEST_F(SessionHandlerTest, LoggingOutEndsTheSession) {
  auto out = handler_.log_out(request(Caller::kMember, http::Verb::delete_, "/api/v1/session"));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->result_int(), 204U);
  auto after = handler_.current(request(Caller::kMember, http::Verb::get, "/api/v1/session"));
  EXPECT_EQ(status_of(after), 401U);
  // Only the member's session ended.
  auto other = handler_.current(request(Caller::kOutsider, http::Verb::get, "/api/v1/session"));
  EXPECT_EQ(status_of(other), 200U);
}

TEST_F(SessionHandlerTest, LoggingOutWithoutTheCsrfTokenIsRefused) {
  auto sent = request(Caller::kMember, http::Verb::delete_, "/api/v1/session");
  sent.erase(kCsrfHeader);
  auto answer = handler_.log_out(sent);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::kCsrfFailed);
  EXPECT_EQ(status_of(answer), 403U);
  auto still = handler_.current(request(Caller::kMember, http::Verb::get, "/api/v1/session"));
  EXPECT_EQ(status_of(still), 200U);
}

TEST_F(SessionHandlerTest, SetupIsOverOnceUsersExist) {
  auto status = handler_.setup_status(request(Caller::kNobody, http::Verb::get, "/api/v1/setup"));
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(body_of(*status).at("needed").as_bool());

  auto sent = request(Caller::kNobody, http::Verb::post, "/api/v1/setup");
  sent.set(http::Field::content_type, "application/json");
  sent.body() = R"({"token": ")" + setup_.issue() +
                R"(", "email": "late@example.com", "password": "a long enough password"})";
  auto answer = run(handler_.set_up(sent));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::kConflict);
}

TEST_F(SessionHandlerTest, SetupNamesTheMissingMember) {
  auto sent = request(Caller::kNobody, http::Verb::post, "/api/v1/setup");
  sent.set(http::Field::content_type, "application/json");
  sent.body() = R"({"token": "t", "email": "a@example.com"})";
  auto answer = run(handler_.set_up(sent));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::kInvalidPayload);
  EXPECT_EQ(answer.error().field, "password");
}

}  // namespace
}  // namespace agentsudo::server::api
