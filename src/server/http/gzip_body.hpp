#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "server/model/error.hpp"

namespace agentsudo::server::http {

// Inflates a body sent with Content-Encoding: gzip (one gzip member).
// The output is bounded while inflating: once it would pass `max_bytes` the
// stream is abandoned with kPayloadTooLarge, so a small bomb never costs more
// than `max_bytes` of memory. A truncated or corrupt stream, or bytes after
// its end, is kInvalidPayload naming Content-Encoding.
Result<std::string> inflate_gzip(std::string_view compressed, std::size_t max_bytes);

}  // namespace agentsudo::server::http
