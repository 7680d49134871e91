#include "server/approvals/expiry_sweeper.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace agentsudo::server {
namespace asio = boost::asio;

// Shared with the running coroutine, so it outlives the sweeper if the
// io_context still holds the coroutine when the sweeper is destroyed.
struct ExpirySweeper::State {
  State(asio::io_context& io, ApprovalService& service, const Clock& time)
      : strand(asio::make_strand(io)), timer(strand), approvals(service), clock(time) {}

  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;  // touched on the strand only
  ApprovalService& approvals;
  const Clock& clock;
  bool stopped = false;  // on the strand only
};

namespace {

// How long to sleep until `next` (the earliest pending expiry), at most kMaxSleep.
std::chrono::steady_clock::duration sleep_until(const Result<std::optional<UnixMicros>>& next,
                                                const Clock& clock) {
  std::chrono::steady_clock::duration sleep = ExpirySweeper::kMaxSleep;
  if (next && *next) {
    auto due = std::chrono::microseconds(std::max<UnixMicros>(0, **next - clock.now()));
    sleep = std::min<std::chrono::steady_clock::duration>(sleep, due);
  }
  return sleep;
}

bool is_due(const Result<std::optional<UnixMicros>>& next, const Clock& clock) {
  return next && *next && **next <= clock.now();
}

asio::awaitable<void> sweep(std::shared_ptr<ExpirySweeper::State> state) {
  while (!state->stopped) {
    auto next = state->approvals.next_expiry();
    // The write transaction only when something is due, so an idle server
    // takes no write lock from the sweeper; the next expiry is read again
    // only when this pass changed it.
    if (is_due(next, state->clock)) {
      if (auto expired = state->approvals.expire_due(); !expired)
        spdlog::warn("expiring approval requests failed: {}", expired.error().message);
      next = state->approvals.next_expiry();
    }
    state->timer.expires_after(sleep_until(next, state->clock));
    co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace

ExpirySweeper::ExpirySweeper(asio::io_context& io, ApprovalService& approvals, const Clock& clock)
    : state_(std::make_shared<State>(io, approvals, clock)) {}

ExpirySweeper::~ExpirySweeper() {
  stop();
}

void ExpirySweeper::start() {
  asio::co_spawn(state_->strand, sweep(state_), asio::detached);
}

void ExpirySweeper::stop() {
  asio::post(state_->strand, [state = state_] {
    state->stopped = true;
    state->timer.cancel();
  });
}

}  // namespace agentsudo::server
