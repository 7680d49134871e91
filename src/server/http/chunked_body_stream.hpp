#pragma once

#include <atomic>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>

#include "server/http/reply.hpp"

namespace agentsudo::server::http {

// A BodyStream over one connection: each write is one HTTP/1.1 chunk (or raw
// bytes for an HTTP/1.0 client, whose connection then ends the body), sent
// under the write timeout. Not thread-safe: one producer coroutine uses it.
class ChunkedBodyStream final : public BodyStream {
 public:
  ChunkedBodyStream(boost::beast::tcp_stream& stream, bool chunked,
                    std::chrono::seconds write_timeout, const std::atomic<bool>& draining)
      : stream_(stream), chunked_(chunked), write_timeout_(write_timeout), draining_(draining) {}

  boost::asio::awaitable<bool> write(std::string_view data) override;
  bool should_stop() override;

  // Ends a complete body (the last chunk). False when that write failed.
  boost::asio::awaitable<bool> finish();

  // False once a write failed: the connection is no longer usable.
  bool healthy() const { return healthy_; }

 private:
  bool client_closed();

  boost::beast::tcp_stream& stream_;
  const bool chunked_;
  const std::chrono::seconds write_timeout_;
  const std::atomic<bool>& draining_;
  bool healthy_ = true;
};

}  // namespace agentsudo::server::http
