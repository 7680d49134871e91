#include "server/auth/secret.hpp"

#include <sodium.h>

namespace agentsudo::server {
namespace {

constexpr std::size_t kRandomBytes = 32;
constexpr std::size_t kDisplayedRandomChars = 6;

}  // namespace

std::string random_token() {
  unsigned char random[kRandomBytes];
  randombytes_buf(random, sizeof random);
  char encoded[sodium_base64_ENCODED_LEN(kRandomBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, random, sizeof random,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(random, sizeof random);
  std::string token(encoded);
  sodium_memzero(encoded, sizeof encoded);
  return token;
}

IssuedSecret issue_secret(std::string_view kind) {
  IssuedSecret secret;
  secret.plaintext = std::string(kind) + random_token();
  secret.digest = digest_secret(secret.plaintext);
  secret.display_prefix = secret.plaintext.substr(0, kind.size() + kDisplayedRandomChars);
  return secret;
}

SecretDigest digest_secret(std::string_view plaintext) {
  SecretDigest digest;
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                     nullptr, 0);
  return digest;
}

}  // namespace agentsudo::server
