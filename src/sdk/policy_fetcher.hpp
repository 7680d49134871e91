#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace agentsudo {

// What came back from one GET /v1/policy.
struct PolicyResponse {
  // The HTTP status, or 0 when no answer arrived (see error).
  long status = 0;
  std::string body;
  // The version in the ETag header ("N" in double quotes), when present.
  std::optional<std::int64_t> etag_version;
  // curl's description of a transport failure; empty when status != 0.
  std::string error;
};

// GETs the policy over one kept-alive connection, in a way another thread
// can cut short: a long-poll may be held open for most of a minute, and
// shutting down must not wait for it. Built on a curl multi handle, whose
// poll curl_multi_wakeup() interrupts.
//
// get() belongs to one thread (the policy thread); interrupt() may be called
// from any thread.
class PolicyFetcher {
 public:
  PolicyFetcher();
  ~PolicyFetcher();
  PolicyFetcher(const PolicyFetcher&) = delete;
  PolicyFetcher& operator=(const PolicyFetcher&) = delete;

  // GETs `url` with X-API-Key and, when given, If-None-Match: "version".
  // Gives up after `timeout`. Never throws for network trouble; returns
  // status 0 at once, and from then on, after interrupt().
  PolicyResponse get(const std::string& url, const std::string& api_key,
                     std::optional<std::int64_t> if_none_match, std::chrono::milliseconds timeout,
                     std::chrono::milliseconds connect_timeout);

  // Makes a get() in progress, and every later one, return at once.
  void interrupt() noexcept;

 private:
  CURLM* multi_;
  CURL* easy_;
  std::atomic<bool> interrupted_{false};
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace agentsudo
