#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "server/model/error.hpp"

namespace agentsudo::server::audit {

using PublicKey = std::array<unsigned char, 32>;
using Signature = std::array<unsigned char, 64>;

// The server's Ed25519 key for checkpoints. It lives in a file of its own
// (mode 0600) beside the database, never in it: whoever can edit the
// database must not be able to sign.
class SigningKey {
 public:
  // The file's name inside the data directory.
  static constexpr std::string_view kFileName = "audit-signing.key";

  // Reads the key, or creates it (exclusively, mode 0600) on first start.
  static Result<SigningKey> load_or_create(const std::filesystem::path& file);

  const PublicKey& public_key() const { return public_key_; }
  Signature sign(std::string_view message) const;

 private:
  std::array<unsigned char, 64> secret_key_{};
  PublicKey public_key_{};
};

bool signature_is_valid(const PublicKey& key, std::string_view message, const Signature& signature);

// Base64 (standard alphabet, padded), as served and as `verify` reads it.
std::string to_base64(std::string_view bytes);
std::optional<std::string> from_base64(std::string_view text);

template <std::size_t N>
std::string_view as_bytes(const std::array<unsigned char, N>& data) {
  return {reinterpret_cast<const char*>(data.data()), N};
}

// The public key as the server serves it and `verify --public-key` reads it.
std::string public_key_text(const PublicKey& key);
std::optional<PublicKey> public_key_from_text(std::string_view text);

}  // namespace agentsudo::server::audit
