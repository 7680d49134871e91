#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string_view>
#include <utility>

#include "server/http/message.hpp"

namespace agentsudo::server::http {

// The transport's side of a streamed body, handed to a BodyProducer. Used
// from that producer's coroutine only.
class BodyStream {
 public:
  virtual ~BodyStream() = default;

  // Sends `data` (one chunk) and resumes once the client has taken it, so a
  // slow reader slows the producer instead of filling memory. Returns false
  // when the client is gone or stopped reading; the producer should return.
  virtual boost::asio::awaitable<bool> write(std::string_view data) = 0;

  // True once the client has closed its side or the server is draining: a
  // producer that waits for data polls this and returns.
  virtual bool should_stop() = 0;
};

// Writes a body through a BodyStream. Returns true when the body is complete;
// false ends the connection without the final chunk, so the client can tell
// a cut-off body from a whole one.
using BodyProducer = std::function<boost::asio::awaitable<bool>(BodyStream&)>;

// An answer: a whole Response, or a head (status and headers, empty body)
// whose body a producer writes in chunks (chunked transfer encoding).
struct Reply {
  Reply(Response whole) : head(std::move(whole)) {}  // NOLINT: implicit by design
  Reply(Response head_only, BodyProducer producer)
      : head(std::move(head_only)), stream(std::move(producer)) {}

  Response head;
  BodyProducer stream;  // empty for a whole response
};

}  // namespace agentsudo::server::http
