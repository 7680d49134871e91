#pragma once

#include <string_view>

#include "server/model/secret.hpp"

namespace agentsudo::server::postgres {

// A digest as the bytes a BYTEA parameter carries (Params::add_bytes).
inline std::string_view digest_bytes(const SecretDigest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace agentsudo::server::postgres
