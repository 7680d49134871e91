#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace agentsudo::server::api {

// How the session cookie is set: `Secure` is for deployments behind HTTPS
// (serve --secure-cookies or AGENTSUDO_SECURE_COOKIES=1).
struct CookiePolicy {
  bool secure = false;
};

// Set-Cookie values for a session token, and for ending one.
std::string session_cookie(std::string_view token, std::chrono::seconds max_age,
                           const CookiePolicy& policy);
std::string cleared_session_cookie(const CookiePolicy& policy);

}  // namespace agentsudo::server::api
