#include "server/api/session_cookie.hpp"

#include "server/api/request_credentials.hpp"

namespace agentsudo::server::api {
namespace {

std::string cookie(std::string_view value, long long max_age, const CookiePolicy& policy) {
  // Appended piece by piece: GCC 12 warns (-Warray-bounds, wrongly) about a
  // chain of + on a temporary string here.
  std::string header(kSessionCookie);
  header += '=';
  header += value;
  header += "; Path=/; HttpOnly; SameSite=Strict; Max-Age=";
  header += std::to_string(max_age);
  if (policy.secure)
    header += "; Secure";
  return header;
}

}  // namespace

std::string session_cookie(std::string_view token, std::chrono::seconds max_age,
                           const CookiePolicy& policy) {
  return cookie(token, max_age.count(), policy);
}

std::string cleared_session_cookie(const CookiePolicy& policy) {
  return cookie("", 0, policy);
}

}  // namespace agentsudo::server::api
