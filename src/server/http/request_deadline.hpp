#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>

namespace agentsudo::server::http {

// The time a client has to send one whole request. Once it passes, the
// socket's pending operations are cancelled, and so are those started later
// until stop(): no read outlives the deadline, yet the socket stays open for a
// 408 (Beast's own expiry would close it). Not thread-safe: the socket, the
// connection's coroutine and this object must run on one strand; destroy it
// before the socket.
class RequestDeadline {
 public:
  explicit RequestDeadline(boost::asio::ip::tcp::socket& socket);
  ~RequestDeadline();
  RequestDeadline(const RequestDeadline&) = delete;
  RequestDeadline& operator=(const RequestDeadline&) = delete;

  // Starts counting `duration` from now, forgetting an earlier expiry.
  void start(std::chrono::steady_clock::duration duration);

  // Stops counting (idempotent). An expiry that happened stays expired().
  void stop();

  bool expired() const;

 private:
  struct State;
  // Waits until `when`, then cancels and waits again, until the run ends.
  static void arm(const std::shared_ptr<State>& state, std::chrono::steady_clock::time_point when);

  std::shared_ptr<State> state_;
};

}  // namespace agentsudo::server::http
