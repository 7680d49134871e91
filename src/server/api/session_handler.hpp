#pragma once

#include <boost/asio/awaitable.hpp>
#include <vector>

#include "server/api/route.hpp"
#include "server/api/session_cookie.hpp"
#include "server/auth/access_control.hpp"
#include "server/auth/accounts.hpp"
#include "server/http/message.hpp"
#include "server/http/request_context.hpp"
#include "server/metrics/metrics.hpp"

namespace agentsudo::server::api {

// First-run setup and the dashboard's session: /api/v1/setup,
// /api/v1/session and the signed-in user's password. Thread-safe.
class SessionHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<SessionHandler>> routes();

  // `throttled` counts the logins refused by the LoginThrottle.
  SessionHandler(Accounts& accounts, AccessControl& access, Sessions& sessions,
                 CookiePolicy cookies, Counter& throttled);

  Result<http::Response> setup_status(const http::Request& request);
  boost::asio::awaitable<Result<http::Response>> set_up(const http::Request& request);
  boost::asio::awaitable<Result<http::Response>> log_in(const http::Request& request,
                                                        const http::RequestContext& context);
  Result<http::Response> current(const http::Request& request);
  Result<http::Response> log_out(const http::Request& request);
  boost::asio::awaitable<Result<http::Response>> change_password(
      const http::Request& request, const http::RequestContext& context);

 private:
  // The answer to a successful login or setup: the user, the CSRF token, the cookie.
  http::Response logged_in(unsigned status, const Login& login, unsigned version) const;

  Accounts& accounts_;
  AccessControl& access_;
  Sessions& sessions_;
  CookiePolicy cookies_;
  Counter& throttled_;
};

}  // namespace agentsudo::server::api
