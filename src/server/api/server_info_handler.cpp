#include "server/api/server_info_handler.hpp"

#include "server/api/request_credentials.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {

std::vector<ResourceRoute<ServerInfoHandler>> ServerInfoHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/server", kSmallBody, Access::kUser, &ServerInfoHandler::info),
  };
}

ServerInfoHandler::ServerInfoHandler(AccessControl& access, CookiePolicy cookies)
    : access_(access), cookies_(cookies) {}

Result<http::Response> ServerInfoHandler::info(const http::Request& request) {
  RETURN_IF_ERROR(authenticate(access_, request));
  return json_response(
      200, boost::json::object{{"version", AGENTSUDO_VERSION}, {"secure_cookies", cookies_.secure}},
      request.version());
}

}  // namespace agentsudo::server::api
