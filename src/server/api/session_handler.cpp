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
  auto body = parse_json_body(request);
  if (!body)
    return body.take_error();
  auto members = with_token ? JsonMembers::of(*body, {"token", "email", "password"})
                            : JsonMembers::of(*body, {"email", "password"});
  if (!members)
    return members.take_error();
  CredentialsBody credentials;
  if (with_token) {
    auto token = members->required_string("token");
    if (!token)
      return token.take_error();
    credentials.token = std::move(*token);
  }
  auto email = members->required_string("email");
  if (!email)
    return email.take_error();
  auto password = members->required_string("password");
  if (!password)
    return password.take_error();
  credentials.email = std::move(*email);
  credentials.password = std::move(*password);
  return credentials;
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
  };
}

SessionHandler::SessionHandler(Accounts& accounts, AccessControl& access, Sessions& sessions,
                               CookiePolicy cookies)
    : accounts_(accounts), access_(access), sessions_(sessions), cookies_(cookies) {}

http::Response SessionHandler::setup_status(const http::Request& request) {
  auto needed = accounts_.setup_needed();
  if (!needed)
    return error_response(needed.error(), request.version());
  return json_response(200, json::object{{"needed", *needed}}, request.version());
}

asio::awaitable<http::Response> SessionHandler::set_up(const http::Request& request) {
  auto body = read_credentials(request, true);
  if (!body)
    co_return error_response(body.error(), request.version());
  auto login = co_await accounts_.set_up(std::move(body->token), std::move(body->email),
                                         std::move(body->password));
  if (!login)
    co_return error_response(login.error(), request.version());
  co_return logged_in(201, *login, request.version());
}

asio::awaitable<http::Response> SessionHandler::log_in(const http::Request& request,
                                                       const http::RequestContext& context) {
  auto body = read_credentials(request, false);
  if (!body)
    co_return error_response(body.error(), request.version());
  // Named, not a temporary in the co_await: see accounts.cpp on GCC 12.
  std::string address = context.peer.to_string();
  auto login = co_await accounts_.log_in(std::move(body->email), std::move(body->password),
                                         std::move(address));
  if (!login)
    co_return error_response(login.error(), request.version());
  co_return logged_in(200, *login, request.version());
}

http::Response SessionHandler::current(const http::Request& request) {
  auto principal = authenticate(access_, request);
  if (!principal)
    return error_response(principal.error(), request.version());
  if (!principal->user) {
    // An operator token has no user and needs no CSRF token.
    return json_response(200, json::object{{"user", nullptr}, {"csrf_token", nullptr}},
                         request.version());
  }
  auto response = json_response(
      200,
      json::object{{"user", user_json(*principal->user)}, {"csrf_token", principal->csrf_token}},
      request.version());
  // The session slid forward on this request; the cookie follows it.
  response.set(http::Field::set_cookie,
               session_cookie(cookie_value(request[http::Field::cookie], kSessionCookie),
                              sessions_.ttl(), cookies_));
  return response;
}

http::Response SessionHandler::log_out(const http::Request& request) {
  auto principal = authenticate(access_, request);
  if (!principal && principal.error().kind != ErrorKind::kUnauthorized)
    return error_response(principal.error(), request.version());
  if (principal && principal->user) {
    auto ended = sessions_.end(cookie_value(request[http::Field::cookie], kSessionCookie));
    if (!ended)
      return error_response(ended.error(), request.version());
  }
  auto response = no_content(request.version());
  response.set(http::Field::set_cookie, cleared_session_cookie(cookies_));
  return response;
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
