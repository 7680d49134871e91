#include "server/service/token_service.hpp"

#include "core/text.hpp"
#include "server/auth/secret.hpp"

namespace agentsudo::server {

TokenService::TokenService(ProjectStore& projects, const Clock& clock)
    : projects_(projects), clock_(clock) {}

Status TokenService::validate(const ManagementTokenSettings& settings) const {
  if (settings.name) {
    const std::string& name = *settings.name;
    if (name.empty() || name.size() > kMaxNameBytes || contains_control_characters(name)) {
      return make_error(ErrorKind::kInvalidParameter,
                        "name must be 1 to " + std::to_string(kMaxNameBytes) +
                            " bytes without control characters",
                        "name");
    }
  }
  if (settings.expires_at && *settings.expires_at <= clock_.now())
    return make_error(ErrorKind::kInvalidParameter, "expires_at must be in the future",
                      "expires_at");
  return {};
}

Result<IssuedManagementToken> TokenService::create(const ManagementTokenSettings& settings) {
  RETURN_IF_ERROR(validate(settings));
  IssuedSecret secret = issue_secret(kManagementTokenPrefix);
  ASSIGN_OR_RETURN(auto record, projects_.add_management_token(secret, settings));
  return IssuedManagementToken{std::move(record), std::move(secret.plaintext)};
}

Result<std::vector<ManagementToken>> TokenService::list() {
  return projects_.list_management_tokens();
}

Result<ManagementToken> TokenService::revoke(std::string_view token_id) {
  return projects_.revoke_management_token(token_id);
}

}  // namespace agentsudo::server
