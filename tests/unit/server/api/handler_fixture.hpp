#pragma once

// What the handler tests share: a real SQLite store in a temp directory, one
// project with its ingest key, and one caller of every kind, so a test names
// who asks and reads what the handler answered them.

#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "../temp_store.hpp"
#include "run_to_completion.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/responses.hpp"
#include "server/auth/access_control.hpp"
#include "server/auth/sessions.hpp"
#include "server/http/message.hpp"
#include "server/model/clock.hpp"
#include "server/service/key_service.hpp"
#include "server/service/project_service.hpp"
#include "server/service/token_service.hpp"

namespace agentsudo::server::api {

// Who sends a request. The session callers send their CSRF token too, so a
// state-changing request is refused for what it asks, not for a missing header.
enum class Caller {
  kNobody,     // no credentials at all
  kIngestKey,  // the project's ingest key, in X-API-Key
  kOperator,   // a management token
  kAdmin,      // a signed-in admin who is not a member of the project
  kMember,     // a signed-in member of the project
  kOutsider,   // a signed-in user who is not a member
};

inline const char* to_string(Caller caller) {
  switch (caller) {
    case Caller::kNobody:
      return "nobody";
    case Caller::kIngestKey:
      return "ingest key";
    case Caller::kOperator:
      return "operator";
    case Caller::kAdmin:
      return "admin";
    case Caller::kMember:
      return "member";
    case Caller::kOutsider:
      return "outsider";
  }
  return "?";
}

class HandlerTest : public testing::Test {
 protected:
  void SetUp() override {
    admin_ = add_user("admin@example.com", true);
    member_ = add_user("member@example.com", false);
    outsider_ = add_user("outsider@example.com", false);
    auto created = ProjectService(*store_->projects).create("p1", Tier{"free", 1000});
    ASSERT_TRUE(created.ok());
    project_ = created->project;
    api_key_ = created->key.plaintext;
    ASSERT_TRUE(store_->accounts->add_member(project_.rowid, member_.rowid));
    auto token = TokenService(*store_->projects, clock_).create({});
    ASSERT_TRUE(token.ok());
    operator_token_ = token->plaintext;
    admin_session_ = start_session(admin_);
    member_session_ = start_session(member_);
    outsider_session_ = start_session(outsider_);
  }

  http::Request request(Caller caller, http::Verb method, std::string_view target) const {
    http::Request built{method, target, 11};
    auto with_session = [&built](const StartedSession& session) {
      built.set(http::Field::cookie, std::string(kSessionCookie) + "=" + session.token);
      built.set(kCsrfHeader, session.csrf_token);
    };
    switch (caller) {
      case Caller::kNobody:
        break;
      case Caller::kIngestKey:
        built.set("X-API-Key", api_key_);
        break;
      case Caller::kOperator:
        built.set(http::Field::authorization, "Bearer " + operator_token_);
        break;
      case Caller::kAdmin:
        with_session(admin_session_);
        break;
      case Caller::kMember:
        with_session(member_session_);
        break;
      case Caller::kOutsider:
        with_session(outsider_session_);
        break;
    }
    return built;
  }

  // The status the client sees, as the route would send it.
  template <class Reply>
  static unsigned status_of(const Result<Reply>& answer) {
    return answer ? answer->result_int() : status_for(answer.error().kind);
  }

  static boost::json::value body_of(const http::Response& response) {
    return boost::json::parse(response.body());
  }

  // Runs a coroutine handler to its end.
  template <class T>
  static T run(boost::asio::awaitable<T> task) {
    return run_to_completion(std::move(task));
  }

  TempStore store_;
  ManualClock clock_{1'800'000'000'000'000};
  Sessions sessions_{*store_->accounts, clock_};
  AccessControl access_{*store_->projects, *store_->accounts, sessions_};
  User admin_;
  User member_;
  User outsider_;
  Project project_;
  std::string api_key_;
  std::string operator_token_;
  StartedSession admin_session_;
  StartedSession member_session_;
  StartedSession outsider_session_;

 private:
  User add_user(std::string email, bool is_admin) {
    // The hash is never checked: these users are signed in through Sessions.
    auto user = store_->accounts->create_user(NewUser{std::move(email), "h", is_admin, false});
    EXPECT_TRUE(user.ok());
    return user.ok() ? *user : User{};
  }

  StartedSession start_session(const User& user) {
    auto session = sessions_.start(user);
    EXPECT_TRUE(session.ok());
    return session.ok() ? *session : StartedSession{};
  }
};

}  // namespace agentsudo::server::api
