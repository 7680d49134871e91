// UsersHandler called directly: only admins and operators manage users, and
// each refusal comes before anything is read or changed.

#include "server/api/users_handler.hpp"

#include <gtest/gtest.h>

#include "handler_fixture.hpp"
#include "server/auth/login_throttle.hpp"
#include "server/auth/password_hasher.hpp"
#include "server/auth/setup_token.hpp"

namespace agentsudo::server::api {
namespace {

class UsersHandlerTest : public HandlerTest {
 protected:
  std::vector<std::string> listed_emails() {
    auto answer = handler_.list(request(Caller::kOperator, http::Verb::get, "/api/v1/users"));
    EXPECT_TRUE(answer.ok());
    std::vector<std::string> emails;
    if (!answer)
      return emails;
    auto body = body_of(*answer);
    for (const auto& user : body.at("users").as_array())
      emails.emplace_back(user.at("email").as_string());
    return emails;
  }

  PasswordHasher hasher_{1};
  LoginThrottle throttle_{clock_};
  SetupToken setup_;
  Accounts accounts_{*store_->accounts, hasher_, throttle_, sessions_, setup_};
  UsersHandler handler_{access_, accounts_, *store_->accounts};
};

struct AccessRow {
  Caller caller;
  unsigned status;
};

constexpr AccessRow kAccess[] = {
    {Caller::kNobody, 401},   {Caller::kIngestKey, 403}, {Caller::kMember, 403},
    {Caller::kOutsider, 403}, {Caller::kAdmin, 200},     {Caller::kOperator, 200},
};

TEST_F(UsersHandlerTest, OnlyAdminsList) {
  for (const auto& row : kAccess) {
    auto answer = handler_.list(request(row.caller, http::Verb::get, "/api/v1/users"));
    EXPECT_EQ(status_of(answer), row.status) << to_string(row.caller);
    if (answer) {
      EXPECT_EQ(body_of(*answer).at("users").as_array().size(), 3U) << to_string(row.caller);
    }
  }
}

TEST_F(UsersHandlerTest, RefusedRemovalsLeaveTheUser) {
  for (const auto& row : kAccess) {
    if (row.status == 200)
      continue;
    auto answer =
        handler_.remove(request(row.caller, http::Verb::delete_, "/api/v1/users/x"), outsider_.id);
    EXPECT_EQ(status_of(answer), row.status) << to_string(row.caller);
  }
  EXPECT_EQ(listed_emails().size(), 3U);
}

TEST_F(UsersHandlerTest, AdminRemovesAUser) {
  auto answer =
      handler_.remove(request(Caller::kAdmin, http::Verb::delete_, "/api/v1/users/x"), member_.id);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->result_int(), 204U);
  EXPECT_EQ(listed_emails(), (std::vector<std::string>{admin_.email, outsider_.email}));
}

TEST_F(UsersHandlerTest, TheLastAdminStays) {
  auto answer =
      handler_.remove(request(Caller::kAdmin, http::Verb::delete_, "/api/v1/users/x"), admin_.id);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(status_of(answer), 409U);
  EXPECT_EQ(listed_emails().size(), 3U);
}

TEST_F(UsersHandlerTest, RemovingAnUnknownUserIsNotFound) {
  for (std::string_view id : {"not-a-uuid", "01234567-89ab-7def-8123-456789abcdef"}) {
    auto answer =
        handler_.remove(request(Caller::kOperator, http::Verb::delete_, "/api/v1/users/x"), id);
    ASSERT_FALSE(answer) << id;
    EXPECT_EQ(answer.error().kind, ErrorKind::kNotFound) << id;
  }
}

TEST_F(UsersHandlerTest, CreateRefusesANonAdminBeforeReadingTheBody) {
  auto sent = request(Caller::kMember, http::Verb::post, "/api/v1/users");
  sent.body() = "not even JSON";
  auto answer = run(handler_.create(sent));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::kForbidden);
}

TEST_F(UsersHandlerTest, CreateNamesTheBadMember) {
  auto sent = request(Caller::kAdmin, http::Verb::post, "/api/v1/users");
  sent.set(http::Field::content_type, "application/json");
  sent.body() = R"({"email": "new@example.com", "password": "long enough here", "is_admin": 1})";
  auto answer = run(handler_.create(sent));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ErrorKind::kInvalidPayload);
  EXPECT_EQ(answer.error().field, "is_admin");
  EXPECT_EQ(listed_emails().size(), 3U);
}

}  // namespace
}  // namespace agentsudo::server::api
