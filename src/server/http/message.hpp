#pragma once

#include <boost/beast/http.hpp>

namespace agentsudo::server::http {

namespace beast_http = boost::beast::http;

// Whole messages with their bodies in memory; every body is bounded by the
// route's limit before it is read.
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using RequestHeader = beast_http::request_header<>;
using Verb = beast_http::verb;
using Field = beast_http::field;

}  // namespace agentsudo::server::http
