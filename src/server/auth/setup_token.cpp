#include "server/auth/setup_token.hpp"

#include <sodium.h>

namespace agentsudo::server {
namespace {

constexpr std::string_view kSetupTokenPrefix = "setup_";
constexpr std::size_t kMaxTokenLength = 128;

}  // namespace

std::string SetupToken::issue() {
  IssuedSecret secret = issue_secret(kSetupTokenPrefix);
  std::lock_guard lock(mutex_);
  digest_ = secret.digest;
  return std::move(secret.plaintext);
}

bool SetupToken::matches(std::string_view candidate) const {
  if (candidate.empty() || candidate.size() > kMaxTokenLength)
    return false;
  SecretDigest presented = digest_secret(candidate);
  std::lock_guard lock(mutex_);
  return digest_ && sodium_memcmp(presented.data(), digest_->data(), presented.size()) == 0;
}

}  // namespace agentsudo::server
