#pragma once

#include <string>
#include <string_view>

#include "server/model/secret.hpp"

namespace agentsudo::server {

// 43 base64url characters (no padding) of 32 bytes from the CSPRNG.
std::string random_token();

// Mints `kind` followed by a random_token().
IssuedSecret issue_secret(std::string_view kind);

SecretDigest digest_secret(std::string_view plaintext);

}  // namespace agentsudo::server
