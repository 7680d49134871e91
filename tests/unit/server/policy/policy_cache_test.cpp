// PolicyCache on a real SQLite file, its waits on a real io_context.
#include "server/policy/policy_cache.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <optional>

#include "../temp_store.hpp"
#include "server/service/project_service.hpp"

namespace agentsudo::server {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

class PolicyCacheTest : public testing::Test {
 protected:
  void SetUp() override {
    auto created = ProjectService(*store_->projects).create("p", Tier{"free", 1000});
    ASSERT_TRUE(created.ok());
    project_ = created->project.rowid;
  }

  void add_agent(const std::string& name) {
    ASSERT_TRUE(
        store_->agents->create_agent(project_, name, AgentSettings{{"read:*"}}, {"test"}).ok());
  }

  // Runs a wait on the io_context and returns its snapshot's version and how
  // long it took.
  std::pair<std::int64_t, std::chrono::steady_clock::duration> wait(
      std::int64_t after, std::chrono::steady_clock::duration limit,
      std::function<void()> meanwhile = {}) {
    asio::io_context io;
    std::optional<std::int64_t> version;
    auto started = std::chrono::steady_clock::now();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto snapshot = co_await cache_.wait_newer(project_, after, limit);
          version = snapshot.ok() ? (*snapshot)->version() : -1;
        },
        asio::detached);
    asio::steady_timer later(io, 50ms);
    later.async_wait([&](auto) {
      if (meanwhile)
        meanwhile();
    });
    io.run();
    return {version.value_or(-2), std::chrono::steady_clock::now() - started};
  }

  TempStore store_;
  Gauge waiters_;
  PolicyCache cache_{*store_->agents, waiters_};
  std::int64_t project_ = 0;
};

TEST_F(PolicyCacheTest, ReadsTheStoreOncePerVersion) {
  auto first = cache_.current(project_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->version(), 0);
  add_agent("bot");
  // Not told of the change yet: the cached snapshot stands.
  EXPECT_EQ(cache_.current(project_)->get(), first->get());
  cache_.changed(project_);
  EXPECT_EQ((*cache_.current(project_))->version(), 1);
}

TEST_F(PolicyCacheTest, AWaitAnswersAtOnceWhenTheCallerIsBehind) {
  add_agent("bot");
  auto [version, took] = wait(0, 10s);
  EXPECT_EQ(version, 1);
  EXPECT_LT(took, 2s);
}

TEST_F(PolicyCacheTest, AWaitWakesOnAChange) {
  auto [version, took] = wait(0, 10s, [&] {
    EXPECT_EQ(waiters_.value(), 1);
    add_agent("bot");
    cache_.changed(project_);
  });
  EXPECT_EQ(version, 1);
  EXPECT_LT(took, 5s);
  EXPECT_EQ(waiters_.value(), 0);
}

TEST_F(PolicyCacheTest, AWaitEndsWithTheSameVersionWhenTimeRunsOut) {
  auto [version, took] = wait(0, 200ms);
  EXPECT_EQ(version, 0);
  EXPECT_GE(took, 200ms);
}

TEST_F(PolicyCacheTest, AWakeWithoutANewerVersionKeepsWaiting) {
  // Another node's notice of a change this node already loaded wakes the
  // waiters without a newer version: that is no answer yet.
  auto [version, took] = wait(0, 400ms, [&] {
    cache_.changed(project_);
    EXPECT_EQ(waiters_.value(), 1);
  });
  EXPECT_EQ(version, 0);
  EXPECT_GE(took, 400ms);
  EXPECT_EQ(waiters_.value(), 0);
}

TEST_F(PolicyCacheTest, ReleasedWaitersReturnAndLaterWaitsDoNotBlock) {
  auto [version, took] = wait(0, 10s, [&] { cache_.release_waiters(); });
  EXPECT_EQ(version, 0);
  EXPECT_LT(took, 5s);
  auto [again, took_again] = wait(0, 10s);
  EXPECT_EQ(again, 0);
  EXPECT_LT(took_again, 5s);
}

}  // namespace
}  // namespace agentsudo::server
