#include "server/api/session_handler.hpp"

#include "server/api/json_members.hpp"
#include "server/api/request_body.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/resource_json.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The body of setup or login: the members asked for, as strings.
struct CredentialsBody {
  std::string token;
  std::string email;
  std::string password;
};

Result<CredentialsBody> read_credentials(const http::Request& request, bool with_token) {
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members, with_token ? JsonMembers::of(body, {"token", "email", "password"})
                                            : JsonMembers::of(body, {"email", "password"}));
  CredentialsBody credentials;
  if (with_token) {
    ASSIGN_OR_RETURN(credentials.token, members.required_string("token"));
  }
  ASSIGN_OR_RETURN(credentials.email, members.required_string("email"));
  ASSIGN_OR_RETURN(credentials.password, members.required_string("password"));
  return credentials;
}

// A password change as asked for: who, from which session and address, and the body.
struct PasswordChange {
  User user;
  std::string session_token;
  std::string client_address;
  std::string current_password;
  std::string new_password;
};

Result<PasswordChange> read_password_change(AccessControl& access, const http::Request& request,
                                            const http::RequestContext& context) {
  ASSIGN_OR_RETURN(auto principal, authenticate(access, request));
  if (!principal.user) {
    return make_error(ErrorKind::kForbidden,
                      "a management token has no password: a signed-in user changes their own");
  }
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"current_password", "new_password"}));
  PasswordChange change{std::move(*principal.user),
                        std::string(cookie_value(request[http::Field::cookie], kSessionCookie)),
                        login_source(context.client),
                        {},
                        {}};
  ASSIGN_OR_RETURN(change.current_password, members.required_string("current_password"));
  ASSIGN_OR_RETURN(change.new_password, members.required_string("new_password"));
  return change;
}

}  // namespace

std::vector<ResourceRoute<SessionHandler>> SessionHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/setup", kSmallBody, Access::kPublic, &SessionHandler::setup_status),
      route(Verb::post, "/api/v1/setup", kSmallBody, Access::kPublic, &SessionHandler::set_up),
      route(Verb::post, "/api/v1/session", kSmallBody, Access::kPublic, &SessionHandler::log_in),
      route(Verb::get, "/api/v1/session", kSmallBody, Access::kUser, &SessionHandler::current),
      route(Verb::delete_, "/api/v1/session", kSmallBody, Access::kUser, &SessionHandler::log_out),
      route(Verb::post, "/api/v1/session/password", kSmallBody, Access::kUser,
            &SessionHandler::change_password),
  };
}

SessionHandler::SessionHandler(Accounts& accounts, AccessControl& access, Sessions& sessions,
                               CookiePolicy cookies, Counter& throttled)
    : accounts_(accounts),
      access_(access),
      sessions_(sessions),
      cookies_(cookies),
      throttled_(throttled) {}

Result<http::Response> SessionHandler::setup_status(const http::Request& request) {
  ASSIGN_OR_RETURN(bool needed, accounts_.setup_needed());
  return json_response(200, json::object{{"needed", needed}}, request.version());
}

asio::awaitable<Result<http::Response>> SessionHandler::set_up(const http::Request& request) {
  CO_ASSIGN_OR_RETURN(auto body, read_credentials(request, true));
  CO_ASSIGN_OR_RETURN(auto login,
                      co_await accounts_.set_up(std::move(body.token), std::move(body.email),
                                                std::move(body.password)));
  co_return logged_in(201, login, request.version());
}

asio::awaitable<Result<http::Response>> SessionHandler::log_in(
    const http::Request& request, const http::RequestContext& context) {
  CO_ASSIGN_OR_RETURN(auto body, read_credentials(request, false));
  // Named, not a temporary in the co_await: see accounts.cpp on GCC 12.
  std::string source = login_source(context.client);
  Result<Login> login =
      co_await accounts_.log_in(std::move(body.email), std::move(body.password), std::move(source));
  if (!login) {
    if (login.error().kind == ErrorKind::kRateLimited)
      throttled_.add();
    co_return login.take_error();
  }
  co_return logged_in(200, *login, request.version());
}

Result<http::Response> SessionHandler::current(const http::Request& request) {
  ASSIGN_OR_RETURN(auto principal, authenticate(access_, request));
  if (!principal.user) {
    // An operator token has no user and needs no CSRF token.
    return json_response(200, json::object{{"user", nullptr}, {"csrf_token", nullptr}},
                         request.version());
  }
  auto response = json_response(
      200, json::object{{"user", user_json(*principal.user)}, {"csrf_token", principal.csrf_token}},
      request.version());
  // The session slid forward on this request; the cookie follows it.
  response.set(http::Field::set_cookie,
               session_cookie(cookie_value(request[http::Field::cookie], kSessionCookie),
                              sessions_.ttl(), cookies_));
  return response;
}

Result<http::Response> SessionHandler::log_out(const http::Request& request) {
  // Logging out without a valid session is not an error: the cookie is cleared either way.
  auto principal = authenticate(access_, request);
  if (!principal && principal.error().kind != ErrorKind::kUnauthorized)
    return principal.take_error();
  if (principal && principal->user) {
    RETURN_IF_ERROR(sessions_.end(cookie_value(request[http::Field::cookie], kSessionCookie)));
  }
  auto response = no_content(request.version());
  response.set(http::Field::set_cookie, cleared_session_cookie(cookies_));
  return response;
}

// The session asking stays; the user's other sessions end (see Accounts).
asio::awaitable<Result<http::Response>> SessionHandler::change_password(
    const http::Request& request, const http::RequestContext& context) {
  CO_ASSIGN_OR_RETURN(auto change, read_password_change(access_, request, context));
  Status changed = co_await accounts_.change_password(
      std::move(change.user), std::move(change.current_password), std::move(change.new_password),
      std::move(change.client_address), std::move(change.session_token));
  if (!changed)
    co_return changed.error();
  co_return no_content(request.version());
}

http::Response SessionHandler::logged_in(unsigned status, const Login& login,
                                         unsigned version) const {
  auto response = json_response(
      status,
      json::object{{"user", user_json(login.user)}, {"csrf_token", login.session.csrf_token}},
      version);
  response.set(http::Field::set_cookie,
               session_cookie(login.session.token, sessions_.ttl(), cookies_));
  return response;
}

}  // namespace agentsudo::server::api
