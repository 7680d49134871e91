// The telemetry client against a scripted HTTP peer on 127.0.0.1: batching,
// the wire format, keep-alive, 429 / 5xx / network failures, the bounded
// queue, flush and shutdown deadlines.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <agentsudo/agentsudo.hpp>
#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "loopback_http_server.hpp"

namespace agentsudo {
namespace {

using namespace std::chrono_literals;
using testing::LoopbackHttpServer;
using Clock = std::chrono::steady_clock;

CloudOptions options_for(const std::string& endpoint) {
  CloudOptions options;
  options.api_key = "as_test_key";
  options.endpoint = endpoint;
  options.batch_size = 5;
  options.flush_interval = 50ms;
  options.retry_base_delay = 10ms;
  options.retry_max_delay = 40ms;
  options.request_timeout = 2000ms;
  return options;
}

std::size_t events_in(const std::vector<LoopbackHttpServer::Request>& requests) {
  std::size_t total = 0;
  for (const auto& request : requests) {
    boost::json::value batch = boost::json::parse(request.body);
    total += batch.as_array().size();
  }
  return total;
}

// Responds with `status` to the first `failures` requests, then stores.
LoopbackHttpServer::Responder failing_first(
    int failures, int status, std::vector<std::pair<std::string, std::string>> headers = {}) {
  auto seen = std::make_shared<std::atomic<int>>(0);
  return [=](const LoopbackHttpServer::Request& request) {
    if ((*seen)++ < failures) {
      return LoopbackHttpServer::Response{status, R"({"error":"scripted"})", headers};
    }
    return LoopbackHttpServer::store_all(request);
  };
}

class Telemetry : public ::testing::Test {
 protected:
  void TearDown() override { shutdown_telemetry(1s); }

  // Makes `count` allowed decisions as an agent holding read:*.
  static void decide(int count, const std::string& prefix = "read:x") {
    auto session = Agent("TelemetryBot", {"read:*"}).start_session();
    for (int i = 0; i < count; ++i)
      check(prefix + std::to_string(i));
  }
};

TEST_F(Telemetry, SendsBatchesInTheOfficialFormat) {
  LoopbackHttpServer server;
  configure_cloud(options_for(server.url()));
  auto refund = sudo("write:refunds", [] {}, {.function_name = "issue_refund"});
  {
    auto session = Agent("SupportBot", {"write:refunds"}).start_session();
    for (int i = 0; i < 12; ++i)
      refund();
  }
  ASSERT_TRUE(flush_telemetry(5s));
  auto requests = server.requests();
  ASSERT_GE(requests.size(), 3U);
  for (const auto& request : requests) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/api/events");
    EXPECT_EQ(request.headers.at("content-type"), "application/json");
    EXPECT_EQ(request.headers.at("x-api-key"), "as_test_key");
  }
  EXPECT_EQ(events_in(requests), 12U);
  boost::json::value first_batch = boost::json::parse(requests[0].body);
  boost::json::object first = first_batch.as_array().at(0).as_object();
  EXPECT_EQ(first["agent_name"], "SupportBot");
  EXPECT_EQ(first["action"], "permission_check");
  EXPECT_EQ(first["scope"], "write:refunds");
  EXPECT_EQ(first["function_name"], "issue_refund");
  EXPECT_EQ(first["allowed"], true);
  std::string timestamp(first["timestamp"].as_string());
  EXPECT_EQ(timestamp.size(), 27U) << timestamp;  // 2026-01-15T10:30:00.123456Z
  EXPECT_EQ(timestamp.back(), 'Z');
  TelemetryCounters counters = telemetry_counters();
  EXPECT_EQ(counters.queued, 12U);
  EXPECT_EQ(counters.sent, 12U);
  EXPECT_EQ(counters.dropped + counters.failed + counters.retried, 0U);
  EXPECT_EQ(counters.pending, 0U);
}

TEST_F(Telemetry, KeepsOneConnectionAlive) {
  LoopbackHttpServer server;
  CloudOptions options = options_for(server.url());
  options.batch_size = 2;
  configure_cloud(options);
  decide(20);
  ASSERT_TRUE(flush_telemetry(5s));
  EXPECT_GE(server.requests().size(), 10U);
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST_F(Telemetry, SendsAPartialBatchAfterTheFlushInterval) {
  LoopbackHttpServer server;
  CloudOptions options = options_for(server.url());
  options.batch_size = 100;
  options.flush_interval = 100ms;
  configure_cloud(options);
  decide(3);
  ASSERT_TRUE(server.wait_for_requests(1, 3s));
  EXPECT_EQ(events_in(server.requests()), 3U);
}

TEST_F(Telemetry, WaitsOutRetryAfterOn429) {
  LoopbackHttpServer server(failing_first(1, 429, {{"Retry-After", "1"}}));
  configure_cloud(options_for(server.url()));
  decide(5);
  ASSERT_TRUE(flush_telemetry(5s));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[0].body, requests[1].body);
  TelemetryCounters counters = telemetry_counters();
  EXPECT_EQ(counters.sent, 5U);
  EXPECT_EQ(counters.retried, 1U);
  EXPECT_EQ(counters.failed, 0U);
}

TEST_F(Telemetry, Waits429RetryAfterNotTheBackoff) {
  LoopbackHttpServer server(failing_first(1, 429, {{"Retry-After", "1"}}));
  configure_cloud(options_for(server.url()));
  decide(5);
  auto start = Clock::now();
  ASSERT_TRUE(server.wait_for_requests(2, 5s));
  EXPECT_GE(Clock::now() - start, 900ms);
}

TEST_F(Telemetry, RetriesServerErrorsWithBackoff) {
  LoopbackHttpServer server(failing_first(2, 500));
  configure_cloud(options_for(server.url()));
  decide(5);
  ASSERT_TRUE(flush_telemetry(5s));
  TelemetryCounters counters = telemetry_counters();
  EXPECT_EQ(counters.sent, 5U);
  EXPECT_EQ(counters.retried, 2U);
  EXPECT_EQ(server.requests().size(), 3U);
}

TEST_F(Telemetry, GivesUpOnABatchAfterMaxRetries) {
  LoopbackHttpServer server(failing_first(1000, 503));
  CloudOptions options = options_for(server.url());
  options.max_retries = 2;
  configure_cloud(options);
  decide(5);
  ASSERT_TRUE(flush_telemetry(5s));
  TelemetryCounters counters = telemetry_counters();
  EXPECT_EQ(counters.failed, 5U);
  EXPECT_EQ(counters.sent, 0U);
  EXPECT_EQ(counters.retried, 2U);
  EXPECT_EQ(server.requests().size(), 3U);
}

TEST_F(Telemetry, DoesNotRetryARefusedBatch) {
  LoopbackHttpServer server(failing_first(1000, 400));
  configure_cloud(options_for(server.url()));
  decide(5);
  ASSERT_TRUE(flush_telemetry(5s));
  EXPECT_EQ(telemetry_counters().failed, 5U);
  EXPECT_EQ(server.requests().size(), 1U);
}

TEST_F(Telemetry, ServerDownCountsFailures) {
  CloudOptions options =
      options_for("http://127.0.0.1:" + std::to_string(testing::unused_loopback_port()));
  options.max_retries = 1;
  options.max_queue = 1000;
  // Few batches, so that giving up on all of them (each after a backoff) fits
  // the flush deadline on a loaded machine.
  options.batch_size = 250;
  configure_cloud(options);
  auto guarded = sudo("read:orders", [] { return 1; });
  auto session = Agent("DownBot", {"read:*"}).start_session();
  constexpr int kCalls = 20000;
  int sum = 0;
  for (int i = 0; i < kCalls; ++i)
    sum += guarded();
  EXPECT_EQ(sum, kCalls);
  ASSERT_TRUE(flush_telemetry(30s));
  TelemetryCounters counters = telemetry_counters();
  EXPECT_EQ(counters.queued + counters.dropped, static_cast<std::uint64_t>(kCalls));
  EXPECT_EQ(counters.sent, 0U);
  EXPECT_GT(counters.failed, 0U);
  EXPECT_EQ(counters.failed, counters.queued);
}

// A server that takes a request and never answers holds the sender thread in
// that request; guarded calls must go on regardless. Were they to wait on the
// network, this test would hang instead of finishing.
TEST_F(Telemetry, CallsGoOnWhileTheServerNeverAnswers) {
  std::mutex mutex;
  std::condition_variable released_cv;
  bool released = false;
  bool holding_a_request = false;
  LoopbackHttpServer server([&](const LoopbackHttpServer::Request& request) {
    std::unique_lock lock(mutex);
    holding_a_request = true;
    released_cv.notify_all();
    released_cv.wait(lock, [&] { return released; });
    return LoopbackHttpServer::store_all(request);
  });
  auto release = [&] {
    std::lock_guard lock(mutex);
    released = true;
    released_cv.notify_all();
  };
  // Also on an early return, so the server's threads can finish.
  std::shared_ptr<void> release_at_exit(nullptr, [&](void*) { release(); });
  CloudOptions options = options_for(server.url());
  options.request_timeout = 60s;
  options.max_queue = 100000;
  configure_cloud(options);
  auto guarded = sudo("read:orders", [] { return 1; });
  auto session = Agent("PatientBot", {"read:*"}).start_session();
  for (int i = 0; i < 10; ++i)
    guarded();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(released_cv.wait_for(lock, 10s, [&] { return holding_a_request; }));
  }

  constexpr int kCalls = 20000;
  int sum = 0;
  for (int i = 0; i < kCalls; ++i)
    sum += guarded();
  EXPECT_EQ(sum, kCalls);
  TelemetryCounters during = telemetry_counters();
  EXPECT_EQ(during.sent, 0U);  // The first request is still unanswered.
  EXPECT_GE(during.pending, static_cast<std::size_t>(kCalls));

  release();
  ASSERT_TRUE(flush_telemetry(30s));
  EXPECT_EQ(telemetry_counters().sent, static_cast<std::uint64_t>(kCalls + 10));
}

TEST_F(Telemetry, FullQueueDropsInsteadOfBlocking) {
  LoopbackHttpServer server(failing_first(1000, 429, {{"Retry-After", "30"}}));
  CloudOptions options = options_for(server.url());
  options.max_queue = 10;
  configure_cloud(options);
  decide(100);
  TelemetryCounters counters = telemetry_counters();
  EXPECT_GE(counters.dropped, 80U);
  EXPECT_EQ(counters.queued + counters.dropped, 100U);
}

TEST_F(Telemetry, FlushAndShutdownKeepTheirDeadlines) {
  LoopbackHttpServer server(failing_first(1000, 429, {{"Retry-After", "30"}}));
  configure_cloud(options_for(server.url()));
  decide(7);
  auto start = Clock::now();
  EXPECT_FALSE(flush_telemetry(200ms));
  shutdown_telemetry(200ms);
  EXPECT_LT(Clock::now() - start, 2s);
  TelemetryCounters counters = telemetry_counters();
  EXPECT_EQ(counters.dropped, 7U);
  EXPECT_EQ(counters.pending, 0U);
  // After shutdown, decisions still work and their events are counted as dropped.
  decide(3);
  EXPECT_EQ(telemetry_counters().dropped, 7U);
}

TEST_F(Telemetry, ManyThreadsDeliverEveryEventOnce) {
  LoopbackHttpServer server;
  CloudOptions options = options_for(server.url());
  options.batch_size = 50;
  configure_cloud(options);
  constexpr int kThreads = 8, kEach = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] { decide(kEach, "read:t" + std::to_string(t) + "-"); });
  }
  for (auto& thread : threads)
    thread.join();
  ASSERT_TRUE(flush_telemetry(10s));
  std::multiset<std::string> scopes;
  for (const auto& request : server.requests()) {
    boost::json::value batch = boost::json::parse(request.body);
    for (const auto& event : batch.as_array()) {
      scopes.insert(std::string(event.as_object().at("scope").as_string()));
    }
  }
  EXPECT_EQ(scopes.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(std::set<std::string>(scopes.begin(), scopes.end()).size(), scopes.size());
  EXPECT_EQ(telemetry_counters().sent, static_cast<std::uint64_t>(kThreads * kEach));
}

TEST_F(Telemetry, ReconfiguringReplacesTheClient) {
  LoopbackHttpServer first, second;
  configure_cloud(options_for(first.url()));
  decide(5);
  configure_cloud(options_for(second.url()));
  decide(5);
  ASSERT_TRUE(flush_telemetry(5s));
  EXPECT_EQ(events_in(first.requests()), 5U);
  EXPECT_EQ(events_in(second.requests()), 5U);
}

TEST_F(Telemetry, KeyAndEndpointFromTheEnvironment) {
  LoopbackHttpServer server;
  ::setenv("AGENTSUDO_API_KEY", "as_from_env", 1);
  ::setenv("AGENTSUDO_ENDPOINT", (server.url() + "/").c_str(), 1);
  CloudOptions options;
  options.flush_interval = 50ms;
  configure_cloud(options);
  ::unsetenv("AGENTSUDO_API_KEY");
  ::unsetenv("AGENTSUDO_ENDPOINT");
  decide(1);
  ASSERT_TRUE(flush_telemetry(5s));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].headers.at("x-api-key"), "as_from_env");
  EXPECT_EQ(requests[0].target, "/api/events");
}

TEST_F(Telemetry, RejectsBadConfiguration) {
  ::unsetenv("AGENTSUDO_API_KEY");
  EXPECT_THROW(configure_cloud(), ConfigurationError);
  CloudOptions options = options_for("http://127.0.0.1:1");
  options.batch_size = 0;
  EXPECT_THROW(configure_cloud(options), ConfigurationError);
  options.batch_size = 1001;
  EXPECT_THROW(configure_cloud(options), ConfigurationError);
  options.batch_size = 10;
  options.max_queue = 5;
  EXPECT_THROW(configure_cloud(options), ConfigurationError);
}

TEST_F(Telemetry, FlushWithoutConfigurationReturnsAtOnce) {
  shutdown_telemetry(0ms);
  EXPECT_TRUE(flush_telemetry(0ms) || telemetry_counters().pending == 0);
}

}  // namespace
}  // namespace agentsudo
