#pragma once

#include <string_view>

#include "server/model/error.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server {

// Resolves the value of an X-API-Key header to the project it writes to.
// kInvalidApiKey when the key is missing, malformed, unknown or revoked.
// Keys are looked up by digest, so timing reveals nothing about stored keys.
Result<KeyOwner> authenticate_api_key(ProjectStore& store, std::string_view key);

}  // namespace agentsudo::server
