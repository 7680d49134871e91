#include "server/http/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <charconv>

#include "server/http/accept_backoff.hpp"
#include "server/http/chunked_body_stream.hpp"
#include "server/http/request_deadline.hpp"
#include "server/http/request_framing.hpp"

namespace agentsudo::server::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadBytes = 16 * 1024;
// The 408 is small and the client may have stopped reading: it gets this long.
constexpr auto kTimeoutAnswerWrite = std::chrono::seconds(5);
// After a 408, what the client still sends is read and dropped for up to this
// long, so that closing with unread bytes (a reset) does not destroy the 408
// before the client has read it.
constexpr auto kLingerAfterTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 64 * 1024;
// With no descriptor left, at most this many waiting connections are refused
// per pause of the accept loop.
constexpr std::size_t kRefusedPerPause = 64;

// Holds a count up for as long as it lives.
class CountedScope {
 public:
  explicit CountedScope(std::atomic<std::size_t>& count) : count_(count) { ++count_; }
  ~CountedScope() { --count_; }
  CountedScope(const CountedScope&) = delete;
  CountedScope& operator=(const CountedScope&) = delete;

 private:
  std::atomic<std::size_t>& count_;
};

// Gives back, when it ends, a connection counted when it was accepted.
class AcceptedConnection {
 public:
  AcceptedConnection(std::atomic<std::size_t>& count, Gauge& open) : count_(count), open_(open) {}
  ~AcceptedConnection() {
    --count_;
    open_.add(-1);
  }
  AcceptedConnection(const AcceptedConnection&) = delete;
  AcceptedConnection& operator=(const AcceptedConnection&) = delete;

 private:
  std::atomic<std::size_t>& count_;
  Gauge& open_;
};

// Errors of accept that say the process (or system) is out of descriptors or
// memory: they persist until something is closed.
bool out_of_descriptors(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

// A malformed request deserves a 400; a client that just went away does not.
bool is_malformed_request(const beast::error_code& ec) {
  return ec.category() == beast_http::make_error_code(beast_http::error::bad_target).category() &&
         ec != beast_http::error::end_of_stream && ec != beast_http::error::partial_message &&
         ec != beast_http::error::body_limit;
}

// Waits up to `idle_timeout` for the first bytes of the next request (which
// may already be in `buffer`). False when the client closed the connection or
// sent nothing in time: either way there is nobody to answer.
asio::awaitable<bool> await_request_start(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                          std::chrono::seconds idle_timeout) {
  if (buffer.size() == 0) {
    stream.expires_after(idle_timeout);
    auto [ec, received] = co_await stream.async_read_some(buffer.prepare(kReadBytes), kNoThrow);
    if (ec)
      co_return false;
    buffer.commit(received);
  }
  // From here the RequestDeadline bounds the request, and Beast's expiry
  // (which closes the socket) must not cut it first.
  stream.expires_never();
  co_return true;
}

// Reads until `parser` has a whole header section that passed the checks of
// RequestHeaderReader, or was refused. Neither means the client went away or
// `deadline` passed.
asio::awaitable<HeaderProgress> read_request_header(beast::tcp_stream& stream,
                                                    beast::flat_buffer& buffer,
                                                    RequestParser& parser, std::size_t header_limit,
                                                    const RequestDeadline& deadline) {
  RequestHeaderReader reader(parser, header_limit);
  for (;;) {
    if (buffer.size() != 0) {
      auto bytes = buffer.cdata();
      HeaderProgress progress =
          reader.offer(std::string_view(static_cast<const char*>(bytes.data()), bytes.size()));
      buffer.consume(progress.consumed);
      if (progress.complete || progress.refusal)
        co_return progress;
    }
    if (deadline.expired())
      co_return HeaderProgress{};
    auto [ec, received] = co_await stream.async_read_some(buffer.prepare(kReadBytes), kNoThrow);
    if (ec)
      co_return HeaderProgress{};
    buffer.commit(received);
  }
}

// Reads and drops what the client still sends, until it closes, `kLingerBytes`
// were dropped or `kLingerAfterTimeout` passed.
asio::awaitable<void> drain_before_close(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
  stream.expires_after(kLingerAfterTimeout);
  std::size_t dropped = 0;
  while (dropped < kLingerBytes) {
    buffer.consume(buffer.size());
    auto [ec, received] = co_await stream.async_read_some(buffer.prepare(kReadBytes), kNoThrow);
    if (ec)
      break;
    dropped += received;
  }
}

bool expects_continue(const RequestHeader& header) {
  return beast::iequals(header[Field::expect], "100-continue");
}

Result<tcp::endpoint> parse_endpoint(const std::string& host_port) {
  auto colon = host_port.rfind(':');
  auto bad = [&] {
    return make_error(ErrorKind::kInvalidParameter,
                      "listen address must look like HOST:PORT, got \"" + host_port + "\"",
                      "listen");
  };
  if (colon == std::string::npos)
    return bad();
  std::string host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost")
    host = "127.0.0.1";
  unsigned short port = 0;
  const char* begin = host_port.data() + colon + 1;
  const char* end = host_port.data() + host_port.size();
  auto [ptr, ec] = std::from_chars(begin, end, port);
  if (ec != std::errc() || ptr != end || begin == end)
    return bad();
  boost::system::error_code address_error;
  auto address = asio::ip::make_address(host, address_error);
  if (address_error)
    return bad();
  return tcp::endpoint(address, port);
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, RequestHandler& handler, TransportLimits limits,
                       TransportMeters meters, TrustedProxies proxies)
    : io_(io),
      handler_(handler),
      limits_(limits),
      meters_(meters),
      proxies_(std::move(proxies)),
      acceptor_(io) {}

Result<tcp::endpoint> HttpServer::listen(const std::string& host_port) {
  auto endpoint = parse_endpoint(host_port);
  if (!endpoint)
    return endpoint;
  boost::system::error_code ec;
  acceptor_.open(endpoint->protocol(), ec);
  if (!ec)
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor_.bind(*endpoint, ec);
  if (!ec)
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  // SpareDescriptor accepts on it directly, and must never block.
  if (!ec)
    acceptor_.native_non_blocking(true, ec);
  if (ec) {
    return make_error(ErrorKind::kInternal, "cannot listen on " + host_port + ": " + ec.message(),
                      "listen");
  }
  return acceptor_.local_endpoint();
}

void HttpServer::start() {
  asio::co_spawn(io_, accept_loop(), asio::detached);
}

void HttpServer::stop_accepting() {
  draining_ = true;
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

asio::awaitable<void> HttpServer::accept_loop() {
  AcceptBackoff backoff;
  asio::steady_timer pause(io_);
  while (acceptor_.is_open()) {
    // Each connection on a strand of its own, which its RequestDeadline needs.
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kNoThrow);
    if (ec == asio::error::operation_aborted)
      co_return;
    if (ec) {
      // Retrying at once would spin while the error lasts (EMFILE until a
      // connection closes); those waiting meanwhile are told at once.
      if (out_of_descriptors(ec))
        meters_.connections_refused.add(
            spare_.refuse_waiting(acceptor_.native_handle(), kRefusedPerPause));
      pause.expires_after(backoff.next());
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    backoff.reset();
    if (connections_.load() >= limits_.max_connections) {
      meters_.connections_refused.add();
      continue;  // dropping it closes it
    }
    ++connections_;
    meters_.connections_open.add(1);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HttpServer::serve(tcp::socket socket) {
  AcceptedConnection connection(connections_, meters_.connections_open);
  boost::system::error_code ignored;
  auto peer = socket.remote_endpoint(ignored).address();
  RequestContext context{peer, peer};
  beast::tcp_stream stream(std::move(socket));
  stream.socket().set_option(tcp::no_delay(true), ignored);
  RequestDeadline deadline(stream.socket());
  beast::flat_buffer buffer;

  auto send_rejection = [&](const RequestHeader& header, Error error) -> asio::awaitable<void> {
    deadline.stop();
    Response response = handler_.reject(header, error);
    response.keep_alive(false);
    response.prepare_payload();
    stream.expires_after(limits_.write_timeout);
    co_await beast_http::async_write(stream, response, kNoThrow);
  };
  // RFC 9110 §15.5.9: the request did not arrive in time and the connection
  // will not wait for the rest of it.
  auto answer_timeout = [&](const RequestHeader& header) -> asio::awaitable<void> {
    deadline.stop();
    meters_.requests_timed_out.add();
    Response response = handler_.reject(
        header, make_error(ErrorKind::kRequestTimeout,
                           "the request did not arrive whole within " +
                               std::to_string(limits_.request_timeout.count()) + " s"));
    response.keep_alive(false);
    response.prepare_payload();
    stream.expires_after(kTimeoutAnswerWrite);
    auto [write_ec, written] = co_await beast_http::async_write(stream, response, kNoThrow);
    if (write_ec)
      co_return;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    co_await drain_before_close(stream, buffer);
  };

  for (;;) {
    if (!co_await await_request_start(stream, buffer, limits_.idle_timeout))
      break;  // closed, or idle too long: nobody to answer
    deadline.start(limits_.request_timeout);
    RequestParser parser;
    // The route's limit is applied once the header says which route this is.
    parser.body_limit(boost::none);
    HeaderProgress header =
        co_await read_request_header(stream, buffer, parser, limits_.header_bytes, deadline);
    if (header.refusal) {
      co_await send_rejection(parser.get(), std::move(*header.refusal));
      break;
    }
    if (!header.complete) {
      if (deadline.expired())
        co_await answer_timeout(parser.get());
      break;  // otherwise the client went away: nobody to answer
    }
    CountedScope request_in_flight(in_flight_);

    std::size_t limit = handler_.body_limit(parser.get());
    if (Status limited = limit_body(parser, limit); !limited) {
      co_await send_rejection(parser.get(), limited.error());
      break;
    }
    if (expects_continue(parser.get())) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      co_await asio::async_write(stream, asio::buffer(kContinue), kNoThrow);
    }

    auto [body_ec, body_bytes] = co_await beast_http::async_read(stream, buffer, parser, kNoThrow);
    deadline.stop();
    if (body_ec && deadline.expired()) {
      co_await answer_timeout(parser.get());
      break;
    }
    if (body_ec == beast_http::error::body_limit) {
      co_await send_rejection(
          parser.get(),
          make_error(ErrorKind::kPayloadTooLarge, "request body is over this route's limit of " +
                                                      std::to_string(limit) + " bytes"));
      break;
    }
    if (body_ec) {
      if (is_malformed_request(body_ec)) {
        co_await send_rejection(
            parser.get(),
            make_error(ErrorKind::kInvalidPayload, "malformed HTTP request: " + body_ec.message()));
      }
      break;
    }

    bool keep_alive = parser.get().keep_alive() && !draining_;
    context.client = proxies_.client_of(context.peer, parser.get());
    Reply reply = co_await handler_.handle(parser.release(), context);
    if (reply.stream) {
      if (!co_await write_streamed(stream, reply, keep_alive) || !keep_alive || draining_)
        break;
      continue;
    }
    Response& response = reply.head;
    response.keep_alive(keep_alive);
    response.prepare_payload();
    // RFC 9110 §8.6: no Content-Length on a 1xx or 204, and on a 304 only
    // the length a 200 would have had; Beast writes "0" for all three.
    auto status = response.result_int();
    if (status < 200 || status == 204 || status == 304)
      response.erase(beast_http::field::content_length);
    stream.expires_after(limits_.write_timeout);
    auto [write_ec, written] = co_await beast_http::async_write(stream, response, kNoThrow);
    if (write_ec || !keep_alive)
      break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// Sends the head, lets the producer write the body chunk by chunk, then ends
// it. Returns false when the connection cannot carry another request.
asio::awaitable<bool> HttpServer::write_streamed(beast::tcp_stream& stream, Reply& reply,
                                                 bool keep_alive) {
  Response& head = reply.head;
  // HTTP/1.0 has no chunks: the body ends when the connection does.
  bool chunked = head.version() >= 11;
  head.keep_alive(keep_alive && chunked);
  head.body().clear();
  if (chunked)
    head.chunked(true);
  beast_http::response_serializer<beast_http::string_body> serializer(head);
  stream.expires_after(limits_.write_timeout);
  auto [head_ec, head_bytes] =
      co_await beast_http::async_write_header(stream, serializer, kNoThrow);
  if (head_ec)
    co_return false;
  ChunkedBodyStream body(stream, chunked, limits_.write_timeout, draining_);
  bool complete = co_await reply.stream(body);
  if (!complete || !co_await body.finish())
    co_return false;
  co_return chunked;
}

}  // namespace agentsudo::server::http
