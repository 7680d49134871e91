#include "server/api/request_body.hpp"

#include <boost/beast/core/string.hpp>

#include "server/api/json_numbers.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxJsonDepth = 32;

bool is_json_media_type(std::string_view content_type) {
  auto media_type = content_type.substr(0, content_type.find(';'));
  while (!media_type.empty() && (media_type.back() == ' ' || media_type.back() == '\t'))
    media_type.remove_suffix(1);
  return boost::beast::iequals(media_type, "application/json");
}

}  // namespace

Result<json::value> parse_json_body(const http::Request& request) {
  if (!is_json_media_type(request[http::Field::content_type])) {
    return make_error(ErrorKind::kUnsupportedMediaType,
                      "send the body as JSON with Content-Type: application/json");
  }
  if (request.body().empty()) {
    return make_error(ErrorKind::kInvalidPayload, "the request body is empty; send a JSON body");
  }
  return parse_json_exactly(request.body(), kMaxJsonDepth);
}

Error as_body_error(Error error) {
  if (error.kind == ErrorKind::kInvalidParameter)
    error.kind = ErrorKind::kInvalidPayload;
  return error;
}

}  // namespace agentsudo::server::api
