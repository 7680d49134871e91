#include "server/api/responses.hpp"

#include <boost/json/serialize.hpp>

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

struct ErrorMapping {
  ErrorKind kind;
  unsigned status;
  const char* code;
};

// The reference defines the first four codes; the rest follow their style.
constexpr ErrorMapping kErrorTable[] = {
    {ErrorKind::kInvalidPayload, 400, "INVALID_PAYLOAD"},
    {ErrorKind::kInvalidParameter, 400, "INVALID_PARAMETER"},
    {ErrorKind::kInvalidApiKey, 401, "INVALID_API_KEY"},
    {ErrorKind::kUnauthorized, 401, "UNAUTHORIZED"},
    {ErrorKind::kForbidden, 403, "FORBIDDEN"},
    {ErrorKind::kCsrfFailed, 403, "CSRF_FAILED"},
    {ErrorKind::kNotFound, 404, "NOT_FOUND"},
    {ErrorKind::kMethodNotAllowed, 405, "METHOD_NOT_ALLOWED"},
    {ErrorKind::kConflict, 409, "CONFLICT"},
    {ErrorKind::kPayloadTooLarge, 413, "PAYLOAD_TOO_LARGE"},
    {ErrorKind::kHeaderTooLarge, 431, "HEADER_TOO_LARGE"},
    {ErrorKind::kRequestTimeout, 408, "REQUEST_TIMEOUT"},
    {ErrorKind::kUnsupportedMediaType, 415, "UNSUPPORTED_MEDIA_TYPE"},
    {ErrorKind::kRateLimited, 429, "RATE_LIMITED"},
    {ErrorKind::kStorageFull, 503, "STORAGE_FULL"},
    {ErrorKind::kStoreUnavailable, 503, "STORE_UNAVAILABLE"},
    {ErrorKind::kNotImplemented, 501, "NOT_IMPLEMENTED"},
    {ErrorKind::kInternal, 500, "INTERNAL_ERROR"},
};

const ErrorMapping& mapping_for(ErrorKind kind) {
  for (const auto& mapping : kErrorTable) {
    if (mapping.kind == kind)
      return mapping;
  }
  return kErrorTable[std::size(kErrorTable) - 1];
}

}  // namespace

http::Response json_response(unsigned status, const json::value& body, unsigned version) {
  http::Response response{static_cast<http::beast_http::status>(status), version};
  response.set(http::Field::content_type, "application/json");
  response.set(http::Field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.body() = json::serialize(body);
  return response;
}

http::Response no_content(unsigned version) {
  http::Response response{http::beast_http::status::no_content, version};
  response.set(http::Field::cache_control, "no-store");
  return response;
}

unsigned status_for(ErrorKind kind) {
  return mapping_for(kind).status;
}

const char* code_for(ErrorKind kind) {
  return mapping_for(kind).code;
}

http::Response error_response(const Error& error, unsigned version) {
  json::object body;
  body["error"] = error.message;
  body["code"] = code_for(error.kind);
  if (!error.field.empty())
    body["field"] = error.field;
  if (error.index)
    body["index"] = *error.index;
  auto response = json_response(status_for(error.kind), body, version);
  if (error.retry_after_seconds)
    response.set(http::Field::retry_after, std::to_string(*error.retry_after_seconds));
  return response;
}

}  // namespace agentsudo::server::api
