#include "server/api/tokens_handler.hpp"

#include "core/uuid.hpp"
#include "server/api/json_members.hpp"
#include "server/api/request_body.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/resource_json.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

// `{"name"?, "expires_at"?}`; no body at all asks for neither.
Result<ManagementTokenSettings> read_settings(const http::Request& request) {
  if (request.body().empty())
    return ManagementTokenSettings{};
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"name", "expires_at"}));
  ManagementTokenSettings settings;
  ASSIGN_OR_RETURN(settings.name, members.optional_string("name"));
  ASSIGN_OR_RETURN(auto expires_at, members.optional_string("expires_at"));
  if (expires_at) {
    settings.expires_at = parse_rfc3339(*expires_at);
    if (!settings.expires_at)
      return invalid_member("expires_at", "expires_at must be an RFC 3339 date-time");
  }
  return settings;
}

}  // namespace

std::vector<ResourceRoute<TokensHandler>> TokensHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/tokens", kSmallBody, Access::kAdmin, &TokensHandler::list),
      route(Verb::post, "/api/v1/tokens", kSmallBody, Access::kAdmin, &TokensHandler::create),
      route(Verb::delete_, "/api/v1/tokens/{token_id}", kSmallBody, Access::kAdmin,
            &TokensHandler::revoke),
  };
}

TokensHandler::TokensHandler(AccessControl& access, TokenService& tokens)
    : access_(access), tokens_(tokens) {}

Status TokensHandler::require_admin(const http::Request& request) {
  ASSIGN_OR_RETURN(auto principal, authenticate(access_, request));
  return access_.require_admin(principal);
}

Result<http::Response> TokensHandler::list(const http::Request& request) {
  RETURN_IF_ERROR(require_admin(request));
  ASSIGN_OR_RETURN(auto tokens, tokens_.list());
  json::array list;
  for (const auto& token : tokens)
    list.push_back(token_json(token));
  return json_response(200, json::object{{"tokens", std::move(list)}}, request.version());
}

Result<http::Response> TokensHandler::create(const http::Request& request) {
  RETURN_IF_ERROR(require_admin(request));
  ASSIGN_OR_RETURN(auto settings, read_settings(request));
  auto token = tokens_.create(settings);
  if (!token)
    return as_body_error(token.take_error());
  return json_response(
      201,
      json::object{{"token", token_json(token->record)}, {"management_token", token->plaintext}},
      request.version());
}

Result<http::Response> TokensHandler::revoke(const http::Request& request,
                                             std::string_view token_id) {
  RETURN_IF_ERROR(require_admin(request));
  if (!is_canonical_uuid(token_id))
    return make_error(ErrorKind::kNotFound, "no management token with id " + std::string(token_id));
  ASSIGN_OR_RETURN(auto token, tokens_.revoke(token_id));
  return json_response(200, token_json(token), request.version());
}

}  // namespace agentsudo::server::api
