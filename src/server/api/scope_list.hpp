#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "server/model/error.hpp"

namespace agentsudo::server::api {

// Reads a JSON array of scope patterns and validates it with the agents'
// rules (validate_scopes: 1 to 256 bytes, no control characters, at most
// 200, each a pattern that compiles). kInvalidPayload names the member
// `scopes` and the index of the bad item.
Result<std::vector<std::string>> decode_scope_list(const boost::json::value& value);

}  // namespace agentsudo::server::api
