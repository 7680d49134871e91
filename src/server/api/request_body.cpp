#include "server/api/request_body.hpp"

#include <boost/beast/core/string.hpp>

#include "server/api/json_numbers.hpp"
#include "server/http/gzip_body.hpp"

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

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

enum class ContentCoding { kIdentity, kGzip, kOther };

// The body's coding; several Content-Encoding fields, or a list of codings
// in one, are kOther unless every one of them is identity.
ContentCoding content_coding(const http::Request& request) {
  auto [first, last] = request.equal_range(http::Field::content_encoding);
  ContentCoding coding = ContentCoding::kIdentity;
  for (auto field = first; field != last; ++field) {
    std::string_view value = trimmed(field->value());
    if (value.empty() || boost::beast::iequals(value, "identity"))
      continue;
    if (coding != ContentCoding::kIdentity || !boost::beast::iequals(value, "gzip"))
      return ContentCoding::kOther;
    coding = ContentCoding::kGzip;
  }
  return coding;
}

Error unsupported_coding(bool gzip_accepted) {
  return make_error(ErrorKind::kUnsupportedMediaType,
                    gzip_accepted ? "send the body plain or with Content-Encoding: gzip"
                                  : "send the body without a Content-Encoding",
                    "Content-Encoding");
}

Result<json::value> parse_plain_json(const http::Request& request, std::string_view body) {
  if (!is_json_media_type(request[http::Field::content_type])) {
    return make_error(ErrorKind::kUnsupportedMediaType,
                      "send the body as JSON with Content-Type: application/json");
  }
  if (body.empty()) {
    return make_error(ErrorKind::kInvalidPayload, "the request body is empty; send a JSON body");
  }
  return parse_json_exactly(body, kMaxJsonDepth);
}

}  // namespace

Result<json::value> parse_json_body(const http::Request& request) {
  if (content_coding(request) != ContentCoding::kIdentity)
    return unsupported_coding(false);
  return parse_plain_json(request, request.body());
}

Result<json::value> parse_json_body(const http::Request& request, std::size_t max_inflated_bytes) {
  switch (content_coding(request)) {
    case ContentCoding::kIdentity:
      return parse_plain_json(request, request.body());
    case ContentCoding::kGzip: {
      if (!is_json_media_type(request[http::Field::content_type]))
        return parse_plain_json(request, request.body());  // the media type's own error
      ASSIGN_OR_RETURN(auto inflated, http::inflate_gzip(request.body(), max_inflated_bytes));
      return parse_plain_json(request, inflated);
    }
    case ContentCoding::kOther:
      break;
  }
  return unsupported_coding(true);
}

Error as_body_error(Error error) {
  if (error.kind == ErrorKind::kInvalidParameter)
    error.kind = ErrorKind::kInvalidPayload;
  return error;
}

}  // namespace agentsudo::server::api
