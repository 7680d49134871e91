#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/service/token_service.hpp"

namespace agentsudo::server::api {

// /api/v1/tokens: admins (and operators) list, issue and revoke management
// tokens. A new token's secret is in the answer that issues it and nowhere
// else. Thread-safe.
class TokensHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<TokensHandler>> routes();

  TokensHandler(AccessControl& access, TokenService& tokens);

  Result<http::Response> list(const http::Request& request);
  Result<http::Response> create(const http::Request& request);
  Result<http::Response> revoke(const http::Request& request, std::string_view token_id);

 private:
  // Refuses (kUnauthorized, kForbidden, kCsrfFailed) anyone but an admin.
  Status require_admin(const http::Request& request);

  AccessControl& access_;
  TokenService& tokens_;
};

}  // namespace agentsudo::server::api
