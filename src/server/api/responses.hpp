#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "server/http/message.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server::api {

// A JSON answer with the status and HTTP version given.
http::Response json_response(unsigned status, const boost::json::value& body, unsigned version);

// An answer without a body (204), not to be cached.
http::Response no_content(unsigned version);

// The one mapping from ErrorKind to HTTP status and reference error code, and
// the one error body: {"error": ..., "code": ..., "field"?: ..., "index"?: ...}.
unsigned status_for(ErrorKind kind);
const char* code_for(ErrorKind kind);
http::Response error_response(const Error& error, unsigned version);

}  // namespace agentsudo::server::api
