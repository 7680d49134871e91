#include "server/auth/credentials.hpp"

#include "server/auth/secret.hpp"

namespace agentsudo::server {
namespace {

// Longer than any key we mint; bounds the work an attacker can make us hash.
constexpr std::size_t kMaxSecretLength = 128;

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

Result<KeyOwner> authenticate_api_key(ProjectStore& store, std::string_view key) {
  if (key.empty()) {
    return make_error(ErrorKind::kInvalidApiKey,
                      "API key is missing: send it in the X-API-Key header");
  }
  if (!starts_with(key, kApiKeyPrefix) || key.size() > kMaxSecretLength) {
    return make_error(ErrorKind::kInvalidApiKey, "Invalid API key");
  }
  return store.find_key_owner(digest_secret(key));
}

Status authenticate_management_token(ProjectStore& store, std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (!starts_with(authorization, kBearer)) {
    return make_error(ErrorKind::kUnauthorized,
                      "a management token is required: send Authorization: Bearer asm_...");
  }
  std::string_view token = authorization.substr(kBearer.size());
  if (starts_with(token, kApiKeyPrefix)) {
    return make_error(ErrorKind::kForbidden,
                      "API keys can write events but not read them; use a management token");
  }
  if (!starts_with(token, kManagementTokenPrefix) || token.size() > kMaxSecretLength ||
      !store.is_active_management_token(digest_secret(token))) {
    return make_error(ErrorKind::kUnauthorized, "invalid management token");
  }
  return {};
}

}  // namespace agentsudo::server
