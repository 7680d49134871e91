// The telemetry client against a scripted HTTP peer on 127.0.0.1: batching,
// the wire format (ids, sequences, gzip, headers), keep-alive, 429 / 5xx /
// network failures, the queue's bounds, flush and shutdown deadlines.
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

#include "core/uuid.hpp"
#include "gzip_inflate.hpp"
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
  for (const auto& request : requests) {
    EXPECT_EQ(request.headers.at("content-encoding"), "gzip");
    EXPECT_TRUE(testing::looks_gzipped(request.wire_body));
    EXPECT_TRUE(is_canonical_uuid(request.headers.at("agentsudo-instance")));
    EXPECT_EQ(request.headers.at("agentsudo-dropped"), "0");
  }
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
  EXPECT_TRUE(is_canonical_uuid(first["event_id"].as_string()));
  EXPECT_EQ(first["event_id"].as_string().at(14), '7');  // UUID version 7.
  EXPECT_EQ(first["instance_id"], requests[0].headers.at("agentsudo-instance").c_str());
  // Numbered 1..12 in decision order, whichever sender carried them.
  std::set<std::int64_t> sequences;
  for (const auto& request : requests) {
    boost::json::value batch = boost::json::parse(request.body);
    for (const auto& event : batch.as_array())
      sequences.insert(event.at("sequence").as_int64());
  }
  EXPECT_EQ(sequences.size(), 12U);
  EXPECT_EQ(*sequences.begin(), 1);
  EXPECT_EQ(*sequences.rbegin(), 12);
  TelemetryCounters counters = telemetry_counters();
  EXPECT_EQ(counters.queued, 12U);
  EXPECT_EQ(counters.sent, 12U);
  EXPECT_EQ(counters.dropped + counters.failed + counters.retried, 0U);
  EXPECT_EQ(counters.pending, 0U);
}

TEST_F(Telemetry, KeepsOneConnectionAlivePerSender) {
  LoopbackHttpServer server;
  CloudOptions options = options_for(server.url());
  options.batch_size = 2;
  options.max_in_flight = 1;
  configure_cloud(options);
  decide(20);
  ASSERT_TRUE(flush_telemetry(5s));
  EXPECT_GE(server.requests().size(), 10U);
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST_F(Telemetry, NeverOpensMoreConnectionsThanRequestsInFlight) {
  LoopbackHttpServer server;
  CloudOptions options = options_for(server.url());
  options.batch_size = 2;
  options.max_in_flight = 3;
  configure_cloud(options);
  for (int round = 0; round < 5; ++round) {
    decide(40);
    ASSERT_TRUE(flush_telemetry(5s));
  }
  EXPECT_EQ(events_in(server.requests()), 200U);
  EXPECT_GE(server.connections_accepted(), 1);
  EXPECT_LE(server.connections_accepted(), 3);
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

// Holds every request until released, so that nothing leaves the client's
// memory meanwhile; then stores. Releases itself on destruction.
class HeldRequests {
 public:
  LoopbackHttpServer::Responder responder() {
    return [this](const LoopbackHttpServer::Request& request) {
      std::unique_lock lock(mutex_);
      released_cv_.wait(lock, [&] { return released_; });
      return LoopbackHttpServer::store_all(request);
    };
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    released_cv_.notify_all();
  }
  ~HeldRequests() { release(); }

 private:
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
};

TEST_F(Telemetry, ByteBoundRefusesAndCounts) {
  HeldRequests held;
  LoopbackHttpServer server(held.responder());
  // Before the server's threads are joined, even on an early return.
  std::shared_ptr<void> release_at_exit(nullptr, [&](void*) { held.release(); });
  CloudOptions options = options_for(server.url());
  options.max_queue_bytes = 8192;
  configure_cloud(options);
  decide(1000);
  TelemetryCounters counters = telemetry_counters();
  EXPECT_GT(counters.dropped, 900U);
  EXPECT_GT(counters.queued, 10U);  // Each check's record is a few hundred bytes.
  EXPECT_EQ(counters.queued + counters.dropped, 1000U);
  EXPECT_LE(counters.pending_bytes, 8192U);
  EXPECT_GT(counters.pending_bytes, 0U);
  held.release();
  ASSERT_TRUE(flush_telemetry(10s));
  EXPECT_EQ(events_in(server.requests()), telemetry_counters().queued);
  EXPECT_EQ(telemetry_counters().pending_bytes, 0U);
}

// Every decision gets the next number, kept or dropped: the server sees
// 1..N with gaps exactly at the drops, and AgentSudo-Dropped says how many.
TEST_F(Telemetry, SequencesHaveGapsExactlyWhereDropsHappened) {
  HeldRequests held;
  LoopbackHttpServer server(held.responder());
  // Before the server's threads are joined, even on an early return.
  std::shared_ptr<void> release_at_exit(nullptr, [&](void*) { held.release(); });
  CloudOptions options = options_for(server.url());
  options.max_queue_bytes = 8192;
  configure_cloud(options);
  auto session = Agent("CountingBot", {"read:*"}).start_session();
  std::set<std::int64_t> dropped;
  std::int64_t decided = 0;
  auto decide_one = [&] {
    std::uint64_t before = telemetry_counters().dropped;
    check("read:orders");
    ++decided;
    if (telemetry_counters().dropped != before)
      dropped.insert(decided);
  };
  for (int i = 0; i < 300; ++i)
    decide_one();
  held.release();
  ASSERT_TRUE(flush_telemetry(10s));
  for (int i = 0; i < 20; ++i)
    decide_one();
  ASSERT_TRUE(flush_telemetry(10s));
  ASSERT_FALSE(dropped.empty());
  ASSERT_FALSE(dropped.count(decided));  // The last ones came after the release.

  std::set<std::int64_t> received;
  std::set<std::string> instances;
  std::uint64_t highest_dropped_header = 0;
  for (const auto& request : server.requests()) {
    highest_dropped_header = std::max<std::uint64_t>(
        highest_dropped_header, std::stoull(request.headers.at("agentsudo-dropped")));
    boost::json::value batch = boost::json::parse(request.body);
    for (const auto& event : batch.as_array()) {
      EXPECT_TRUE(received.insert(event.at("sequence").as_int64()).second);
      instances.insert(std::string(event.at("instance_id").as_string()));
    }
  }
  std::set<std::int64_t> expected;
  for (std::int64_t n = 1; n <= decided; ++n) {
    if (!dropped.count(n))
      expected.insert(n);
  }
  EXPECT_EQ(received, expected);
  EXPECT_EQ(instances.size(), 1U);
  EXPECT_EQ(highest_dropped_header, dropped.size());
  EXPECT_EQ(telemetry_counters().dropped, dropped.size());
}

TEST_F(Telemetry, RetriesKeepTheSameEventIds) {
  LoopbackHttpServer server(failing_first(2, 503));
  configure_cloud(options_for(server.url()));
  decide(5);
  ASSERT_TRUE(flush_telemetry(5s));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3U);
  auto ids_of = [](const LoopbackHttpServer::Request& request) {
    std::vector<std::string> ids;
    boost::json::value batch = boost::json::parse(request.body);
    for (const auto& event : batch.as_array())
      ids.emplace_back(event.at("event_id").as_string());
    return ids;
  };
  std::vector<std::string> first = ids_of(requests[0]);
  ASSERT_EQ(first.size(), 5U);
  EXPECT_EQ(std::set<std::string>(first.begin(), first.end()).size(), 5U);
  EXPECT_EQ(ids_of(requests[1]), first);
  EXPECT_EQ(ids_of(requests[2]), first);
}

// The server stored the batch but its answer never arrived: the retry must
// carry the same ids, so that the server can tell it is the same batch.
TEST_F(Telemetry, ARetryAfterALostAnswerCarriesTheSameEventIds) {
  auto answered = std::make_shared<std::atomic<int>>(0);
  LoopbackHttpServer server([answered](const LoopbackHttpServer::Request& request) {
    LoopbackHttpServer::Response response = LoopbackHttpServer::store_all(request);
    response.hang_up = (*answered)++ == 0;
    return response;
  });
  CloudOptions options = options_for(server.url());
  options.max_in_flight = 1;
  configure_cloud(options);
  decide(5);
  ASSERT_TRUE(flush_telemetry(5s));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[1].body, requests[0].body);
  EXPECT_EQ(requests[1].headers.at("agentsudo-instance"),
            requests[0].headers.at("agentsudo-instance"));
  EXPECT_NE(requests[1].connection, requests[0].connection);
  TelemetryCounters counters = telemetry_counters();
  EXPECT_EQ(counters.sent, 5U);
  EXPECT_EQ(counters.retried, 1U);
}

TEST_F(Telemetry, PlainBodiesWhenCompressionIsOff) {
  LoopbackHttpServer server;
  CloudOptions options = options_for(server.url());
  options.compress = false;
  configure_cloud(options);
  decide(3);
  ASSERT_TRUE(flush_telemetry(5s));
  auto requests = server.requests();
  ASSERT_FALSE(requests.empty());
  for (const auto& request : requests) {
    EXPECT_EQ(request.headers.count("content-encoding"), 0U);
    EXPECT_EQ(request.wire_body, request.body);
  }
  EXPECT_EQ(events_in(requests), 3U);
}

// The issue's burst, with the defaults a new user gets: 100,000 decisions on
// four threads, all kept and each delivered once with its own id.
TEST_F(Telemetry, BurstOfAHundredThousandIsDeliveredWhole) {
  LoopbackHttpServer server;
  CloudOptions options;
  options.api_key = "as_test_key";
  options.endpoint = server.url();
  configure_cloud(options);
  constexpr int kThreads = 4, kEach = 25000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([] {
      auto session = Agent("BurstBot", {"read:*"}).start_session();
      for (int i = 0; i < kEach; ++i)
        check("read:orders");
    });
  for (auto& thread : threads)
    thread.join();
  ASSERT_TRUE(flush_telemetry(60s));
  TelemetryCounters counters = telemetry_counters();
  EXPECT_EQ(counters.dropped, 0U);
  EXPECT_EQ(counters.sent, static_cast<std::uint64_t>(kThreads * kEach));
  std::set<std::string> ids;
  std::set<std::int64_t> sequences;
  std::size_t events = 0;
  for (const auto& request : server.requests()) {
    auto batch = boost::json::parse(request.body).as_array();
    EXPECT_LE(batch.size(), 1000U);
    for (const auto& event : batch) {
      ++events;
      ids.emplace(event.at("event_id").as_string());
      sequences.insert(event.at("sequence").as_int64());
    }
  }
  EXPECT_EQ(events, static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(ids.size(), events);
  EXPECT_EQ(sequences.size(), events);
  EXPECT_EQ(*sequences.begin(), 1);
  EXPECT_EQ(*sequences.rbegin(), kThreads * kEach);
  // Sent as the server's full batches, not tens.
  EXPECT_LT(server.requests().size(), static_cast<std::size_t>(kThreads * kEach / 100));
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
  options.max_queue = 0;
  options.max_in_flight = 0;
  EXPECT_THROW(configure_cloud(options), ConfigurationError);
  options.max_in_flight = 17;
  EXPECT_THROW(configure_cloud(options), ConfigurationError);
  options.max_in_flight = 4;
  options.max_queue_bytes = 8;
  EXPECT_THROW(configure_cloud(options), ConfigurationError);
}

TEST_F(Telemetry, FlushWithoutConfigurationReturnsAtOnce) {
  shutdown_telemetry(0ms);
  EXPECT_TRUE(flush_telemetry(0ms) || telemetry_counters().pending == 0);
}

}  // namespace
}  // namespace agentsudo
