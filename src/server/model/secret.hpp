#pragma once

#include <array>
#include <string>
#include <string_view>

namespace agentsudo::server {

// What the store keeps of a secret: a BLAKE2b-256 digest. Our secrets carry
// 256 random bits, so a fast unsalted hash is enough to make a stolen
// database useless; passwords (low entropy) use Argon2id instead.
using SecretDigest = std::array<unsigned char, 32>;

// A newly minted secret; `plaintext` is shown to its owner once, then dropped.
struct IssuedSecret {
  std::string plaintext;
  SecretDigest digest;
  // The first characters, safe to display so a person can tell keys apart.
  std::string display_prefix;
};

inline constexpr std::string_view kApiKeyPrefix = "as_";
inline constexpr std::string_view kManagementTokenPrefix = "asm_";

}  // namespace agentsudo::server
