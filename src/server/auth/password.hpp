#pragma once

#include <string>
#include <string_view>

#include "server/model/error.hpp"

namespace agentsudo::server {

inline constexpr std::size_t kMinPasswordBytes = 10;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// kInvalidPayload naming `field` unless 10 to 1,024 bytes.
Status validate_password(std::string_view password, std::string_view field = "password");

// Argon2id with libsodium's interactive limits, salted, in crypto_pwhash_str's
// self-describing format. Takes tens of milliseconds and 64 MiB on purpose:
// call it off the I/O threads (see PasswordHasher).
Result<std::string> hash_password(std::string_view password);

// True if `password` is the one `hash` was made from. As slow as hashing.
bool verify_password(std::string_view hash, std::string_view password);

}  // namespace agentsudo::server
