#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace agentsudo {

// A new UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random
// bits from the system CSPRNG, as 36 lower-case characters. Time-ordered, so
// ids minted together sort together. Thread-safe.
std::string make_uuid_v7(std::int64_t unix_millis);

// True for the canonical 8-4-4-4-12 hex form; used to reject ids from a URL
// before they reach a query.
bool is_canonical_uuid(std::string_view text);

}  // namespace agentsudo
