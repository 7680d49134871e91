#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>

#include "server/http/message.hpp"
#include "server/http/reply.hpp"
#include "server/http/request_context.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server::http {

// What the transport asks of the application. The transport owns sockets,
// parsing, limits and timeouts; the application owns routes and meaning.
// Implementations are called from several I/O threads at once.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;

  // The largest body the request's route accepts, decided from its header
  // before any of the body is read.
  virtual std::size_t body_limit(const RequestHeader& header) = 0;

  virtual boost::asio::awaitable<Reply> handle(Request request, RequestContext context) = 0;

  // The answer to a request the transport refused (too large, malformed).
  virtual Response reject(const RequestHeader& header, const Error& error) = 0;
};

}  // namespace agentsudo::server::http
