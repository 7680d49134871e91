#include "server/api/keys_handler.hpp"

#include "server/admin/provisioning.hpp"
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

KeysHandler::KeysHandler(AccessControl& access, ProjectStore& projects)
    : access_(access), projects_(projects) {}

Result<ApiKeyRecord> KeysHandler::key_of(const Project& project, std::string_view key_id) {
  auto keys = projects_.list_api_keys(project.id);
  if (!keys)
    return keys.take_error();
  for (auto& key : *keys) {
    if (key.id == key_id)
      return std::move(key);
  }
  return make_error(ErrorKind::kNotFound, "no key with id " + std::string(key_id));
}

http::Response KeysHandler::list(const http::Request& request, std::string_view project_id) {
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), request.version());
  auto keys = projects_.list_api_keys(target->project.id);
  if (!keys)
    return error_response(keys.error(), request.version());
  json::array list;
  for (const auto& key : *keys)
    list.push_back(key_json(key));
  return json_response(200, json::object{{"keys", std::move(list)}}, request.version());
}

http::Response KeysHandler::create(const http::Request& request, std::string_view project_id) {
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), request.version());
  auto key = issue_api_key(projects_, target->project.id);
  if (!key)
    return error_response(key.error(), request.version());
  return issued_key_response(*key, request.version());
}

http::Response KeysHandler::rotate(const http::Request& request, std::string_view project_id,
                                   std::string_view key_id) {
  unsigned version = request.version();
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), version);
  if (auto key = key_of(target->project, key_id); !key)
    return error_response(key.error(), version);
  auto replacement = rotate_api_key(projects_, key_id);
  if (!replacement)
    return error_response(replacement.error(), version);
  return issued_key_response(*replacement, version);
}

http::Response KeysHandler::revoke(const http::Request& request, std::string_view project_id,
                                   std::string_view key_id) {
  unsigned version = request.version();
  auto target = authorize_project(access_, request, project_id);
  if (!target)
    return error_response(target.error(), version);
  if (auto key = key_of(target->project, key_id); !key)
    return error_response(key.error(), version);
  if (auto revoked = projects_.revoke_api_key(key_id); !revoked)
    return error_response(revoked.error(), version);
  auto key = key_of(target->project, key_id);
  if (!key)
    return error_response(key.error(), version);
  return json_response(200, key_json(*key), version);
}

}  // namespace agentsudo::server::api
