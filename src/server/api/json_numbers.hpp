#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <string_view>

#include "server/model/error.hpp"

namespace agentsudo::server::api {

// Parses a JSON text keeping every number as written, or refuses it:
//   - integers from -2^63 to 2^64-1 are kept as integers;
//   - an integer beyond 64 bits is refused (as a double it would lose
//     digits), and so is the integer -0 (it would become 0);
//   - every other number is the double nearest to its text, correctly
//     rounded (Boost.JSON 1.81's own parser can miss by one unit in the last
//     place, so the answers would show a number the client never sent);
//     beyond a double's range it is an infinity, for the caller to refuse.
// Errors are kInvalidPayload: for a number, naming the member of the text
// that holds it and, when the text is an array, the index of its item.
// Nesting deeper than `max_depth` is refused. Thread-safe.
Result<boost::json::value> parse_json_exactly(std::string_view text, std::size_t max_depth);

}  // namespace agentsudo::server::api
