#pragma once

#include <vector>

#include "server/api/route.hpp"
#include "server/api/session_cookie.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"

namespace agentsudo::server::api {

// GET /api/v1/server: the version and settings the dashboard's settings
// page shows, to anyone logged in. Thread-safe.
class ServerInfoHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<ServerInfoHandler>> routes();

  ServerInfoHandler(AccessControl& access, CookiePolicy cookies);

  Result<http::Response> info(const http::Request& request);

 private:
  AccessControl& access_;
  CookiePolicy cookies_;
};

}  // namespace agentsudo::server::api
