#include "sdk/http_client.hpp"

#include <memory>
#include <mutex>
#include <new>

namespace agentsudo {
namespace {

// libcurl's global state, set up once and never torn down: tearing it down at
// exit would race with a telemetry thread still finishing a request.
void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// An answer larger than this is not one the SDK asked for.
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;

std::size_t discard_body(char*, std::size_t size, std::size_t count, void*) {
  return size * count;
}

std::size_t keep_body(char* data, std::size_t size, std::size_t count, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * count > kMaxBodyBytes)
    return 0;  // Makes curl fail the transfer.
  body->append(data, size * count);
  return size * count;
}

struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, HeaderListDeleter>;

void append_header(HeaderList& list, const std::string& header) {
  curl_slist* grown = curl_slist_append(list.get(), header.c_str());
  if (grown == nullptr)
    throw std::bad_alloc();
  (void)list.release();
  list.reset(grown);
}

HeaderList json_headers(const std::string& api_key, std::span<const std::string> extra_headers) {
  HeaderList list;
  for (const std::string& header :
       {std::string("Content-Type: application/json"), "X-API-Key: " + api_key,
        // No "Expect: 100-continue" round trip for large batches.
        std::string("Expect:")}) {
    append_header(list, header);
  }
  for (const std::string& header : extra_headers)
    append_header(list, header);
  return list;
}

}  // namespace

void HttpClient::prepare_process() {
  ensure_curl_initialized();
}

HttpClient::HttpClient() {
  ensure_curl_initialized();
  handle_ = curl_easy_init();
  if (handle_ == nullptr)
    throw std::bad_alloc();
}

HttpClient::~HttpClient() {
  curl_easy_cleanup(handle_);
}

HttpResponse HttpClient::post_json(const std::string& url, std::string_view body,
                                   const std::string& api_key, std::chrono::milliseconds timeout,
                                   std::span<const std::string> extra_headers) {
  return perform(url, &body, api_key, timeout, timeout, nullptr, extra_headers);
}

HttpResponse HttpClient::exchange(const std::string& url, const std::string* json_body,
                                  const std::string& api_key, std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds connect_timeout) {
  std::string body;
  std::string_view request_body = json_body != nullptr ? *json_body : std::string_view();
  HttpResponse response = perform(url, json_body != nullptr ? &request_body : nullptr, api_key,
                                  timeout, connect_timeout, &body, {});
  response.body = std::move(body);
  return response;
}

HttpResponse HttpClient::perform(const std::string& url, const std::string_view* json_body,
                                 const std::string& api_key, std::chrono::milliseconds timeout,
                                 std::chrono::milliseconds connect_timeout, std::string* body_out,
                                 std::span<const std::string> extra_headers) {
  HeaderList headers = json_headers(api_key, extra_headers);
  // Options persist on the handle; set them all each time so no request
  // inherits another's. The connection cache survives, which is the point.
  curl_easy_setopt(handle_, CURLOPT_URL, url.c_str());
  if (json_body != nullptr) {
    curl_easy_setopt(handle_, CURLOPT_POST, 1L);
    curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, json_body->data());
    curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(json_body->size()));
  } else {
    curl_easy_setopt(handle_, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle_, CURLOPT_USERAGENT, "libagentsudo/0.1");
  if (body_out != nullptr) {
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(handle_, CURLOPT_WRITEDATA, body_out);
  } else {
    curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, discard_body);
  }
  curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  // Signals are the process's business, and not safe with threads.
  curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle_, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error_buffer_);
  error_buffer_[0] = '\0';

  HttpResponse response;
  CURLcode code = curl_easy_perform(handle_);
  curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(handle_, CURLOPT_WRITEDATA, nullptr);
  if (code != CURLE_OK) {
    response.error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
    return response;
  }
  curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &response.status);
  curl_off_t retry_after = -1;
  if (curl_easy_getinfo(handle_, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
      retry_after > 0 && response.status == 429) {
    response.retry_after = std::chrono::seconds(retry_after);
  }
  return response;
}

}  // namespace agentsudo
