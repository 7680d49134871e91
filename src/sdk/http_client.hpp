#pragma once

#include <curl/curl.h>

#include <chrono>
#include <optional>
#include <span>
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
  // The answer's body; filled by exchange() only.
  std::string body;
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

  // POSTs `body` as application/json with the X-API-Key header and
  // `extra_headers` ("Name: value" each), giving up after `timeout`. Never
  // throws for network trouble: see HttpResponse.
  HttpResponse post_json(const std::string& url, std::string_view body, const std::string& api_key,
                         std::chrono::milliseconds timeout,
                         std::span<const std::string> extra_headers = {});

  // Sends one request with the X-API-Key header and keeps the answer's body
  // (at most 1 MiB): a POST of `json_body` as application/json when given,
  // else a GET. Gives up connecting after `connect_timeout` and on the whole
  // request after `timeout`. Never throws for network trouble.
  HttpResponse exchange(const std::string& url, const std::string* json_body,
                        const std::string& api_key, std::chrono::milliseconds timeout,
                        std::chrono::milliseconds connect_timeout);

 private:
  HttpResponse perform(const std::string& url, const std::string_view* json_body,
                       const std::string& api_key, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds connect_timeout, std::string* body_out,
                       std::span<const std::string> extra_headers);

  CURL* handle_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace agentsudo
