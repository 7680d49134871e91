#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <string>

#include "server/http/limits.hpp"
#include "server/http/request_handler.hpp"
#include "server/http/spare_descriptor.hpp"
#include "server/http/transport_meters.hpp"
#include "server/http/trusted_proxies.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server::http {

// Accepts connections and serves each as one coroutine on its own strand:
// read a request (header first, so the route's body limit applies before the
// body is read), hand it to the RequestHandler, write the answer, repeat while
// keep-alive. Over `max_connections`, or with no descriptor left, a
// connection is closed at once and counted. Runs on the io_context's threads;
// `stop_accepting` and the counters are thread-safe.
class HttpServer {
 public:
  // `proxies`: whose X-Forwarded-For names a request's client.
  HttpServer(boost::asio::io_context& io, RequestHandler& handler, TransportLimits limits,
             TransportMeters meters, TrustedProxies proxies = {});

  // Binds "HOST:PORT" (port 0 picks a free one). Returns the bound endpoint.
  Result<boost::asio::ip::tcp::endpoint> listen(const std::string& host_port);

  // Starts accepting on the io_context.
  void start();

  // Closes the listening socket; connections already open finish their
  // current request and then close.
  void stop_accepting();

  std::size_t requests_in_flight() const { return in_flight_.load(); }

 private:
  boost::asio::awaitable<void> accept_loop();
  // Serves one accepted connection, already counted in `connections_`.
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<bool> write_streamed(boost::beast::tcp_stream& stream, Reply& reply,
                                              bool keep_alive);

  boost::asio::io_context& io_;
  RequestHandler& handler_;
  TransportLimits limits_;
  TransportMeters meters_;
  const TrustedProxies proxies_;
  boost::asio::ip::tcp::acceptor acceptor_;
  SpareDescriptor spare_;  // used by accept_loop only
  std::atomic<bool> draining_{false};
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace agentsudo::server::http
