#pragma once

#include <string_view>

#include "server/model/error.hpp"

namespace agentsudo::server::api {

// Refuses the numbers in a JSON text that the server could not give back as
// written once parsed: an integer beyond 64 bits (-2^63 to 2^64-1), which
// would become a double and lose digits, and the integer -0, which would
// become 0. Every other number is kept: integers exactly, the rest as the
// double they denote. `text` must be valid JSON. The error is
// kInvalidPayload naming the member of the body that holds the number and,
// for a body that is an array, the index of its item. Thread-safe.
Status check_numbers_kept_exactly(std::string_view text);

}  // namespace agentsudo::server::api
