#include "server/http/request_deadline.hpp"

#include <boost/asio/steady_timer.hpp>
#include <cstdint>

namespace agentsudo::server::http {
namespace asio = boost::asio;

namespace {

// After the deadline, how often operations started since are cancelled again:
// a composed read (Beast's body read) may start its next read after a cancel.
constexpr auto kCancelAgainEvery = std::chrono::milliseconds(10);

}  // namespace

// Shared with the timer's handler, which may run after the RequestDeadline is
// gone (it then finds `socket` null).
struct RequestDeadline::State {
  explicit State(asio::ip::tcp::socket& s) : socket(&s), timer(s.get_executor()) {}

  asio::ip::tcp::socket* socket;
  asio::steady_timer timer;
  bool expired = false;
  // Bumped by start() and stop(), so that a handler of an earlier run does nothing.
  std::uint64_t run = 0;
};

void RequestDeadline::arm(const std::shared_ptr<State>& state,
                          std::chrono::steady_clock::time_point when) {
  state->timer.expires_at(when);
  state->timer.async_wait([state, run = state->run](const boost::system::error_code& ec) {
    if (ec || state->socket == nullptr || run != state->run)
      return;
    state->expired = true;
    boost::system::error_code ignored;
    state->socket->cancel(ignored);
    arm(state, std::chrono::steady_clock::now() + kCancelAgainEvery);
  });
}

RequestDeadline::RequestDeadline(asio::ip::tcp::socket& socket)
    : state_(std::make_shared<State>(socket)) {}

RequestDeadline::~RequestDeadline() {
  stop();
  state_->socket = nullptr;
}

void RequestDeadline::start(std::chrono::steady_clock::duration duration) {
  ++state_->run;
  state_->expired = false;
  arm(state_, std::chrono::steady_clock::now() + duration);
}

void RequestDeadline::stop() {
  ++state_->run;
  state_->timer.cancel();
}

bool RequestDeadline::expired() const {
  return state_->expired;
}

}  // namespace agentsudo::server::http
