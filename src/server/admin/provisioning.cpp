#include "server/admin/provisioning.hpp"

#include "core/text.hpp"
#include "server/auth/secret.hpp"

namespace agentsudo::server {
namespace {

constexpr std::size_t kMaxProjectName = 100;

}  // namespace

Status validate_project_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxProjectName) {
    return make_error(ErrorKind::kInvalidParameter,
                      "project name must be 1 to " + std::to_string(kMaxProjectName) + " bytes",
                      "name");
  }
  if (contains_control_characters(name)) {
    return make_error(ErrorKind::kInvalidParameter,
                      "project name must not contain control characters", "name");
  }
  return {};
}

Result<NewProject> create_project_with_key(ProjectStore& store, std::string_view name,
                                           const Tier& tier) {
  RETURN_IF_ERROR(validate_project_name(name));
  ASSIGN_OR_RETURN(auto project, store.create_project(name, tier));
  ASSIGN_OR_RETURN(auto key, issue_api_key(store, project.id));
  return NewProject{std::move(project), std::move(key)};
}

Result<IssuedApiKey> issue_api_key(ProjectStore& store, std::string_view project_id) {
  IssuedSecret secret = issue_secret(kApiKeyPrefix);
  ASSIGN_OR_RETURN(auto record, store.add_api_key(project_id, secret));
  return IssuedApiKey{std::move(record), std::move(secret.plaintext)};
}

Result<IssuedApiKey> rotate_api_key(ProjectStore& store, std::string_view key_id) {
  IssuedSecret secret = issue_secret(kApiKeyPrefix);
  ASSIGN_OR_RETURN(auto record, store.rotate_api_key(key_id, secret));
  return IssuedApiKey{std::move(record), std::move(secret.plaintext)};
}

Result<std::string> issue_management_token(ProjectStore& store) {
  IssuedSecret secret = issue_secret(kManagementTokenPrefix);
  RETURN_IF_ERROR(store.add_management_token(secret));
  return std::move(secret.plaintext);
}

}  // namespace agentsudo::server
