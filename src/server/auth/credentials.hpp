#pragma once

#include <string_view>

#include "server/error.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server {

// Resolves the value of an X-API-Key header to the project it writes to.
// kInvalidApiKey when the key is missing, malformed, unknown or revoked.
// Keys are looked up by digest, so timing reveals nothing about stored keys.
Result<KeyOwner> authenticate_api_key(ProjectStore& store, std::string_view key);

// Checks an Authorization header for an active management token (Bearer
// asm_...). kUnauthorized when absent or unknown; kForbidden for an ingest key,
// which may write events but never read them.
Status authenticate_management_token(ProjectStore& store, std::string_view authorization);

}  // namespace agentsudo::server
