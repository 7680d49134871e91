#include "server/notify/webhook_signature.hpp"

#include <sodium.h>

namespace agentsudo::server {

std::string WebhookSignature::hmac_sha256_hex(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  sodium_memzero(&state, sizeof state);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

std::string WebhookSignature::header_value(std::string_view secret, std::int64_t unix_seconds,
                                           std::string_view body) {
  std::string t = std::to_string(unix_seconds);
  std::string signed_text = t;
  signed_text += '.';
  signed_text += body;
  return "t=" + t + ",v1=" + hmac_sha256_hex(secret, signed_text);
}

}  // namespace agentsudo::server
