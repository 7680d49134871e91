#pragma once

#include <string>
#include <string_view>

#include "server/model/secret.hpp"

namespace agentsudo::server {

// Mints `kind` followed by 43 base64url characters (32 bytes from the CSPRNG).
IssuedSecret issue_secret(std::string_view kind);

SecretDigest digest_secret(std::string_view plaintext);

}  // namespace agentsudo::server
