#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "server/error.hpp"

namespace agentsudo::server::api {

// At most this many scopes per agent (and per preview).
inline constexpr std::size_t kMaxScopesPerList = 200;

// Validates a JSON array of scope patterns with the SDK's rules: strings of
// 1 to 256 bytes without control characters, at most 200, each a pattern
// that compiles (no unclosed `[`). Errors name `field` and the item's index.
Result<std::vector<std::string>> decode_scope_list(const boost::json::value& value,
                                                   const std::string& field);

}  // namespace agentsudo::server::api
