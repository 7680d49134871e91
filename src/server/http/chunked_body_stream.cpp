#include "server/http/chunked_body_stream.hpp"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <cerrno>

namespace agentsudo::server::http {
namespace asio = boost::asio;

namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
}  // namespace

asio::awaitable<bool> ChunkedBodyStream::write(std::string_view data) {
  if (!healthy_)
    co_return false;
  if (data.empty())
    co_return true;  // an empty chunk would end the body
  stream_.expires_after(write_timeout_);
  boost::system::error_code ec;
  if (chunked_) {
    std::tie(ec, std::ignore) = co_await asio::async_write(
        stream_, beast_http::make_chunk(asio::buffer(data.data(), data.size())), kNoThrow);
  } else {
    std::tie(ec, std::ignore) =
        co_await asio::async_write(stream_, asio::buffer(data.data(), data.size()), kNoThrow);
  }
  // Between chunks a stream may idle (the live feed waits for events).
  stream_.expires_never();
  healthy_ = !ec;
  co_return healthy_;
}

asio::awaitable<bool> ChunkedBodyStream::finish() {
  if (!healthy_)
    co_return false;
  if (!chunked_)
    co_return true;  // closing the connection ends an HTTP/1.0 body
  stream_.expires_after(write_timeout_);
  auto [ec, written] = co_await asio::async_write(stream_, beast_http::make_chunk_last(), kNoThrow);
  stream_.expires_never();
  healthy_ = !ec;
  co_return healthy_;
}

bool ChunkedBodyStream::should_stop() {
  return !healthy_ || draining_.load() || client_closed();
}

// A peek that reads end-of-file means the client closed its side; anything
// else (no data yet, a pipelined request) leaves the stream open.
bool ChunkedBodyStream::client_closed() {
  char byte = 0;
  auto got = ::recv(stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (got == 0)
    return true;
  return got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

}  // namespace agentsudo::server::http
