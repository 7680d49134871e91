#include "server/service/approval_nonce.hpp"

#include <sodium.h>

#include "server/auth/secret.hpp"

namespace agentsudo::server {
namespace {

NonceDigest nonce_digest(std::string_view nonce) {
  static_assert(std::tuple_size_v<NonceDigest> == crypto_hash_sha256_BYTES);
  NonceDigest digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(nonce.data()),
                     nonce.size());
  return digest;
}

}  // namespace

ApprovalNonce mint_approval_nonce() {
  ApprovalNonce nonce;
  nonce.plaintext = random_token();
  nonce.digest = nonce_digest(nonce.plaintext);
  return nonce;
}

bool nonce_matches(std::string_view presented, const NonceDigest& stored) {
  NonceDigest digest = nonce_digest(presented);
  return sodium_memcmp(digest.data(), stored.data(), digest.size()) == 0;
}

}  // namespace agentsudo::server
