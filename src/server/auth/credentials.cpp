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

}  // namespace agentsudo::server
