#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "server/model/error.hpp"

namespace agentsudo::server::api {

Error invalid_parameter(std::string name, std::string message);

// A whole number of at least zero, written as such; nothing otherwise.
std::optional<std::int64_t> whole_number(std::string_view text);

// The `wait` of a long-poll: 0 to `max` seconds, else kInvalidParameter.
Result<int> wait_seconds(std::string_view text, int max);

// The query of a request target, name → value (the last one of a name wins).
// kInvalidParameter for a target that is no URL or a name not in `allowed`.
Result<std::map<std::string, std::string, std::less<>>> query_params(
    std::string_view target, std::initializer_list<std::string_view> allowed);

}  // namespace agentsudo::server::api
