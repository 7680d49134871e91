#pragma once

#include <string>
#include <string_view>

namespace agentsudo::testing {

// Decodes one whole gzip stream (RFC 1952) with zlib, as a server would.
// Throws std::runtime_error for a truncated or corrupt stream.
std::string inflate_gzip(std::string_view compressed);

// True if `body` starts with the gzip magic bytes 1f 8b.
bool looks_gzipped(std::string_view body);

}  // namespace agentsudo::testing
