#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace agentsudo::server {

// One POST of a delivery's body.
struct WebhookRequest {
  std::string delivery_id;
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
};

// How a POST ended: a 2xx answer is delivered; anything else says why not.
struct WebhookOutcome {
  std::string delivery_id;
  bool delivered = false;
  std::optional<std::int64_t> status;  // the HTTP status, when the receiver answered
  std::string error;                   // empty when delivered
};

// Sends webhook POSTs concurrently with libcurl's multi interface: http and
// https only, no redirects followed, kTimeout for the whole exchange, the
// answer's body read and dropped. Used by one thread (the dispatcher's
// worker), except wake(), which any thread may call.
class WebhookTransport {
 public:
  static constexpr std::chrono::seconds kTimeout{5};

  WebhookTransport();
  ~WebhookTransport();
  WebhookTransport(const WebhookTransport&) = delete;
  WebhookTransport& operator=(const WebhookTransport&) = delete;

  void start(WebhookRequest request);
  std::size_t in_flight() const { return transfers_.size(); }

  // Waits at most `timeout` for a transfer to progress or for wake(), and
  // returns the transfers that finished.
  std::vector<WebhookOutcome> wait(std::chrono::milliseconds timeout);

  // Makes a wait() in progress (or the next one) return at once. Thread-safe.
  void wake();

  // Drops every transfer in flight, unanswered.
  void abort_all();

 private:
  struct Transfer;

  std::vector<WebhookOutcome> collect_finished();

  void* multi_;                                           // CURLM*
  std::map<void*, std::unique_ptr<Transfer>> transfers_;  // by CURL* easy handle
};

}  // namespace agentsudo::server
