#include "server/service/key_service.hpp"

#include "server/auth/secret.hpp"

namespace agentsudo::server {

KeyService::KeyService(ProjectStore& projects) : projects_(projects) {}

Result<std::vector<ApiKeyRecord>> KeyService::list(std::string_view project_id) {
  return projects_.list_api_keys(project_id);
}

Result<IssuedApiKey> KeyService::create(std::string_view project_id) {
  IssuedSecret secret = issue_secret(kApiKeyPrefix);
  ASSIGN_OR_RETURN(auto record, projects_.add_api_key(project_id, secret));
  return IssuedApiKey{std::move(record), std::move(secret.plaintext)};
}

Result<IssuedApiKey> KeyService::rotate(std::string_view project_id, std::string_view key_id) {
  return rotate_scoped(project_id, key_id);
}

Result<ApiKeyRecord> KeyService::revoke(std::string_view project_id, std::string_view key_id) {
  return projects_.revoke_api_key(project_id, key_id);
}

Result<IssuedApiKey> KeyService::rotate_in_any_project(std::string_view key_id) {
  return rotate_scoped(std::nullopt, key_id);
}

Result<ApiKeyRecord> KeyService::revoke_in_any_project(std::string_view key_id) {
  return projects_.revoke_api_key(std::nullopt, key_id);
}

Result<IssuedApiKey> KeyService::rotate_scoped(std::optional<std::string_view> project_id,
                                               std::string_view key_id) {
  IssuedSecret secret = issue_secret(kApiKeyPrefix);
  ASSIGN_OR_RETURN(auto record, projects_.rotate_api_key(project_id, key_id, secret));
  return IssuedApiKey{std::move(record), std::move(secret.plaintext)};
}

}  // namespace agentsudo::server
