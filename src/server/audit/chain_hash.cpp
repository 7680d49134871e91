#include "server/audit/chain_hash.hpp"

#include <sodium.h>

#include <cstring>

namespace agentsudo::server::audit {

ChainHash next_chain_hash(const ChainHash& previous, std::string_view canonical_event) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, previous.data(), previous.size());
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(canonical_event.data()),
                            canonical_event.size());
  ChainHash next;
  crypto_hash_sha256_final(&state, next.data());
  return next;
}

std::string to_hex(const ChainHash& hash) {
  std::string hex(hash.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
  hex.pop_back();
  return hex;
}

std::optional<ChainHash> chain_hash_from_hex(std::string_view hex) {
  ChainHash hash;
  std::size_t length = 0;
  const char* end = nullptr;
  if (hex.size() != hash.size() * 2 ||
      sodium_hex2bin(hash.data(), hash.size(), hex.data(), hex.size(), nullptr, &length, &end) !=
          0 ||
      length != hash.size())
    return std::nullopt;
  return hash;
}

std::optional<ChainHash> chain_hash_from_bytes(std::string_view bytes) {
  ChainHash hash;
  if (bytes.size() != hash.size())
    return std::nullopt;
  std::memcpy(hash.data(), bytes.data(), hash.size());
  return hash;
}

}  // namespace agentsudo::server::audit
