#include "sdk/policy_fetcher.hpp"

#include <strings.h>

#include <charconv>
#include <cstring>
#include <memory>
#include <new>

#include "sdk/http_client.hpp"

namespace agentsudo {
namespace {

// A policy larger than this is not one we asked for.
constexpr std::size_t kMaxBodyBytes = 16 * 1024 * 1024;
// How long one poll may sleep before re-checking for an interruption that
// a lost wakeup would otherwise leave unseen.
constexpr int kPollMillis = 1000;

struct Received {
  std::string body;
  std::optional<std::int64_t> etag_version;
};

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  auto* received = static_cast<Received*>(out);
  if (received->body.size() + size * count > kMaxBodyBytes)
    return 0;  // Makes curl fail the transfer.
  received->body.append(data, size * count);
  return size * count;
}

// Picks the version out of an `ETag: "N"` header line (or W/"N").
std::size_t read_header(char* data, std::size_t size, std::size_t count, void* out) {
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "etag:";
  if (line.size() > kName.size() && strncasecmp(line.data(), kName.data(), kName.size()) == 0) {
    std::string_view value = line.substr(kName.size());
    std::size_t open = value.find('"');
    std::size_t close = open == std::string_view::npos ? open : value.find('"', open + 1);
    if (close != std::string_view::npos) {
      std::string_view digits = value.substr(open + 1, close - open - 1);
      std::int64_t version = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
      if (ec == std::errc() && end == digits.data() + digits.size() && !digits.empty())
        static_cast<Received*>(out)->etag_version = version;
    }
  }
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
  list.release();
  list.reset(grown);
}

}  // namespace

PolicyFetcher::PolicyFetcher() {
  HttpClient::prepare_process();
  multi_ = curl_multi_init();
  easy_ = curl_easy_init();
  if (multi_ == nullptr || easy_ == nullptr) {
    curl_easy_cleanup(easy_);
    curl_multi_cleanup(multi_);
    throw std::bad_alloc();
  }
}

PolicyFetcher::~PolicyFetcher() {
  curl_easy_cleanup(easy_);
  curl_multi_cleanup(multi_);
}

void PolicyFetcher::interrupt() noexcept {
  interrupted_.store(true, std::memory_order_release);
  curl_multi_wakeup(multi_);
}

PolicyResponse PolicyFetcher::get(const std::string& url, const std::string& api_key,
                                  std::optional<std::int64_t> if_none_match,
                                  std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds connect_timeout) {
  PolicyResponse response;
  if (interrupted_.load(std::memory_order_acquire)) {
    response.error = "interrupted";
    return response;
  }
  HeaderList headers;
  append_header(headers, "X-API-Key: " + api_key);
  append_header(headers, "Accept: application/json");
  if (if_none_match)
    append_header(headers, "If-None-Match: \"" + std::to_string(*if_none_match) + "\"");

  Received received;
  // Options persist on the handle; set them all each time so no request
  // inherits another's. The connection cache survives, which is the point.
  curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy_, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, "libagentsudo/0.1");
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, read_header);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, &received);
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  // Signals are the process's business, and not safe with threads.
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
  error_buffer_[0] = '\0';

  curl_multi_add_handle(multi_, easy_);
  CURLcode result = CURLE_OK;
  bool done = false;
  while (!done) {
    if (interrupted_.load(std::memory_order_acquire)) {
      result = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    int running = 0;
    CURLMcode code = curl_multi_perform(multi_, &running);
    if (code != CURLM_OK) {
      result = CURLE_FAILED_INIT;
      break;
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
      if (message->msg == CURLMSG_DONE && message->easy_handle == easy_) {
        result = message->data.result;
        done = true;
      }
    }
    if (!done && running > 0)
      curl_multi_poll(multi_, nullptr, 0, kPollMillis, nullptr);
  }
  curl_multi_remove_handle(multi_, easy_);
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, nullptr);

  if (result != CURLE_OK) {
    response.error = result == CURLE_ABORTED_BY_CALLBACK ? std::string("interrupted")
                     : error_buffer_[0] != '\0'          ? std::string(error_buffer_)
                                                         : curl_easy_strerror(result);
    return response;
  }
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(received.body);
  response.etag_version = received.etag_version;
  return response;
}

}  // namespace agentsudo
