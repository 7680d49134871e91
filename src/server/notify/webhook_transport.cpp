#include "server/notify/webhook_transport.hpp"

#include <curl/curl.h>

#include <mutex>

namespace agentsudo::server {

namespace {

// libcurl's global state is set up once, before any handle, and kept for the
// life of the process.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t discard_body(char*, std::size_t size, std::size_t count, void*) {
  return size * count;
}

CURLM* multi_of(void* handle) {
  return static_cast<CURLM*>(handle);
}

}  // namespace

struct WebhookTransport::Transfer {
  WebhookRequest request;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {};

  explicit Transfer(WebhookRequest sent) : request(std::move(sent)), easy(curl_easy_init()) {
    for (const auto& header : request.headers)
      headers = curl_slist_append(headers, header.c_str());
    // Without this, curl would wait for a "100 Continue" before larger bodies.
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(kTimeout.count() * 1000));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &discard_body);
  }
  ~Transfer() {
    curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
  }
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  WebhookOutcome outcome(CURLcode result) const {
    WebhookOutcome done{request.delivery_id, false, std::nullopt, {}};
    if (result != CURLE_OK) {
      done.error = error[0] != '\0' ? std::string(error) : curl_easy_strerror(result);
      return done;
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    done.status = status;
    done.delivered = status >= 200 && status < 300;
    if (!done.delivered)
      done.error = "the receiver answered HTTP " + std::to_string(status);
    return done;
  }
};

WebhookTransport::WebhookTransport() {
  init_curl_once();
  multi_ = curl_multi_init();
}

WebhookTransport::~WebhookTransport() {
  abort_all();
  curl_multi_cleanup(multi_of(multi_));
}

void WebhookTransport::start(WebhookRequest request) {
  auto transfer = std::make_unique<Transfer>(std::move(request));
  curl_multi_add_handle(multi_of(multi_), transfer->easy);
  void* key = transfer->easy;
  transfers_.emplace(key, std::move(transfer));
}

std::vector<WebhookOutcome> WebhookTransport::wait(std::chrono::milliseconds timeout) {
  int running = 0;
  curl_multi_perform(multi_of(multi_), &running);
  auto finished = collect_finished();
  if (!finished.empty())
    return finished;
  curl_multi_poll(multi_of(multi_), nullptr, 0, static_cast<int>(timeout.count()), nullptr);
  curl_multi_perform(multi_of(multi_), &running);
  return collect_finished();
}

void WebhookTransport::wake() {
  curl_multi_wakeup(multi_of(multi_));
}

void WebhookTransport::abort_all() {
  for (auto& [easy, transfer] : transfers_)
    curl_multi_remove_handle(multi_of(multi_), transfer->easy);
  transfers_.clear();
}

std::vector<WebhookOutcome> WebhookTransport::collect_finished() {
  std::vector<WebhookOutcome> finished;
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_of(multi_), &left)) {
    if (message->msg != CURLMSG_DONE)
      continue;
    auto found = transfers_.find(message->easy_handle);
    if (found == transfers_.end())
      continue;
    finished.push_back(found->second->outcome(message->data.result));
    curl_multi_remove_handle(multi_of(multi_), found->second->easy);
    transfers_.erase(found);
  }
  return finished;
}

}  // namespace agentsudo::server
