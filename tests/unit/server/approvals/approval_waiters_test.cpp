// ApprovalWaiters on a real io_context: woken by a decision, a deadline or
// the server stopping, and nothing else.
#include "server/approvals/approval_waiters.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

namespace agentsudo::server {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class ApprovalWaitersTest : public testing::Test {
 protected:
  // Runs one wait for `id`; `meanwhile` runs 50 ms in. Returns how long it took.
  Clock::duration wait(
      const std::string& id, Clock::duration limit, std::function<void()> meanwhile = {},
      std::function<bool()> settled = [] { return false; }) {
    asio::io_context io;
    auto started = Clock::now();
    Clock::duration took{};
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await waiters_.wait(id, limit, settled);
          took = Clock::now() - started;
        },
        asio::detached);
    asio::steady_timer later(io, 50ms);
    later.async_wait([&](auto) {
      EXPECT_EQ(gauge_.value(), settled() ? 0 : 1);
      if (meanwhile)
        meanwhile();
    });
    io.run();
    return took;
  }

  Gauge gauge_;
  ApprovalWaiters waiters_{gauge_};
};

TEST_F(ApprovalWaitersTest, ADecisionWakesItsWaiterBeforeTheDeadline) {
  auto took = wait("a", 30s, [this] { waiters_.decided("a"); });
  EXPECT_LT(took, 10s);
  EXPECT_EQ(gauge_.value(), 0);
}

TEST_F(ApprovalWaitersTest, AnotherRequestsDecisionDoesNotWake) {
  auto took = wait("a", 300ms, [this] { waiters_.decided("b"); });
  EXPECT_GE(took, 300ms);
}

TEST_F(ApprovalWaitersTest, TheDeadlineEndsAWaitNobodyAnswers) {
  auto took = wait("a", 200ms);
  EXPECT_GE(took, 200ms);
  EXPECT_EQ(gauge_.value(), 0);
}

TEST_F(ApprovalWaitersTest, ASettledRequestIsNotWaitedFor) {
  auto took = wait("a", 30s, {}, [] { return true; });
  EXPECT_LT(took, 10s);
}

TEST_F(ApprovalWaitersTest, ReleaseWakesWaitersAndLaterWaitsReturnAtOnce) {
  auto took = wait("a", 30s, [this] { waiters_.release_waiters(); });
  EXPECT_LT(took, 10s);
  asio::io_context io;
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await waiters_.wait("b", 30s, [] { return false; });
        done = true;
      },
      asio::detached);
  io.run_for(5s);
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace agentsudo::server
