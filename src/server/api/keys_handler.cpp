#include "server/api/keys_handler.hpp"

#include "server/api/request_credentials.hpp"
#include "server/api/resource_json.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

http::Response issued_key_response(const IssuedApiKey& key, unsigned version) {
  return json_response(201, json::object{{"key", key_json(key.record)}, {"api_key", key.plaintext}},
                       version);
}

}  // namespace

std::vector<ResourceRoute<KeysHandler>> KeysHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/projects/{project_id}/keys", kSmallBody, Access::kProject,
            &KeysHandler::list),
      route(Verb::post, "/api/v1/projects/{project_id}/keys", kSmallBody, Access::kProject,
            &KeysHandler::create),
      route(Verb::post, "/api/v1/projects/{project_id}/keys/{key_id}/rotate", kSmallBody,
            Access::kProject, &KeysHandler::rotate),
      route(Verb::delete_, "/api/v1/projects/{project_id}/keys/{key_id}", kSmallBody,
            Access::kProject, &KeysHandler::revoke),
  };
}

KeysHandler::KeysHandler(AccessControl& access, KeyService& keys) : access_(access), keys_(keys) {}

Result<http::Response> KeysHandler::list(const http::Request& request,
                                         std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto keys, keys_.list(target.project.id));
  json::array list;
  for (const auto& key : keys)
    list.push_back(key_json(key));
  return json_response(200, json::object{{"keys", std::move(list)}}, request.version());
}

Result<http::Response> KeysHandler::create(const http::Request& request,
                                           std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto key, keys_.create(target.project.id));
  return issued_key_response(key, request.version());
}

Result<http::Response> KeysHandler::rotate(const http::Request& request,
                                           std::string_view project_id, std::string_view key_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto replacement, keys_.rotate(target.project.id, key_id));
  return issued_key_response(replacement, request.version());
}

Result<http::Response> KeysHandler::revoke(const http::Request& request,
                                           std::string_view project_id, std::string_view key_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto key, keys_.revoke(target.project.id, key_id));
  return json_response(200, key_json(key), request.version());
}

}  // namespace agentsudo::server::api
