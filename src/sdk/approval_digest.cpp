// The SHA-256 behind approval_digest(), from libsodium.
#include <sodium.h>

#include "agentsudo/approval.hpp"

namespace agentsudo {

std::string approval_digest_of(std::string_view encoded) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(encoded.data()), encoded.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * sizeof hash, '\0');
  for (std::size_t i = 0; i < sizeof hash; ++i) {
    hex[2 * i] = kHex[hash[i] >> 4];
    hex[2 * i + 1] = kHex[hash[i] & 0x0f];
  }
  return hex;
}

}  // namespace agentsudo
