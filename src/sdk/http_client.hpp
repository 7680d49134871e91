#pragma once

#include <curl/curl.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace agentsudo {

// What came back from one request.
struct HttpResponse {
  // The HTTP status, or 0 when no answer arrived (connection refused, reset,
  // timeout, DNS...).
  long status = 0;
  // The Retry-After header, in seconds, when the server sent one.
  std::optional<std::chrono::seconds> retry_after;
  // curl's description of a transport failure; empty when status != 0.
  std::string error;
};

// A blocking HTTP client over one reused curl handle, so consecutive requests
// to the same server share a kept-alive connection.
//
// Not thread-safe: one per thread (the telemetry thread owns one).
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;

  // Sets up libcurl's process-wide state. Call it before registering an
  // atexit handler that still sends: handlers run in reverse order, so the
  // TLS library's own exit cleanup then runs after ours, not before.
  static void prepare_process();
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` as application/json with the X-API-Key header, giving up
  // after `timeout`. Never throws for network trouble: see HttpResponse.
  HttpResponse post_json(const std::string& url, std::string_view body, const std::string& api_key,
                         std::chrono::milliseconds timeout);

 private:
  CURL* handle_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace agentsudo
