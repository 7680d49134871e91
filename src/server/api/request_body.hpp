#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>

#include "server/http/message.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server::api {

// The request's body as JSON: kUnsupportedMediaType unless the Content-Type
// is application/json (parameters such as charset allowed), kInvalidPayload
// when it does not parse or holds a number that would not come back as
// written (parse_json_exactly). Nesting is capped by the parser, so no body
// can recurse us off the stack. A body with a Content-Encoding other than
// identity is kUnsupportedMediaType naming that header.
Result<boost::json::value> parse_json_body(const http::Request& request);

// As above, but a body may also arrive with Content-Encoding: gzip; it is
// inflated to at most `max_inflated_bytes` (kPayloadTooLarge past that,
// decided while inflating) before it is parsed.
Result<boost::json::value> parse_json_body(const http::Request& request,
                                           std::size_t max_inflated_bytes);

// A service's rules speak of parameters; met in a body, they are members
// (kInvalidParameter becomes kInvalidPayload, the rest is unchanged).
Error as_body_error(Error error);

}  // namespace agentsudo::server::api
