// The telemetry client with a spool against a scripted peer: batches that
// cannot be delivered stay on disk, counted as spooled rather than failed,
// and a later client on the same directory delivers every one of them.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <agentsudo/agentsudo.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "loopback_http_server.hpp"

namespace agentsudo {
namespace {

using namespace std::chrono_literals;
using testing::LoopbackHttpServer;

CloudOptions spooling_options(const std::string& endpoint, const std::filesystem::path& dir) {
  CloudOptions options;
  options.api_key = "as_test_key";
  options.endpoint = endpoint;
  options.batch_size = 10;
  options.flush_interval = 20ms;
  options.max_retries = 1;
  options.retry_base_delay = 5ms;
  options.retry_max_delay = 20ms;
  options.request_timeout = 2000ms;
  options.spool_dir = dir.string();
  return options;
}

// The event ids of every request the server saw, repeated ones included.
std::vector<std::string> event_ids(const std::vector<LoopbackHttpServer::Request>& requests) {
  std::vector<std::string> ids;
  for (const auto& request : requests) {
    boost::json::value batch = boost::json::parse(request.body);
    for (const auto& event : batch.as_array())
      ids.emplace_back(event.at("event_id").as_string());
  }
  return ids;
}

// Waits (up to a minute: a deadline, not a timing claim) for the spool to empty.
bool spool_drains() {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (telemetry_counters().spooled_events != 0) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

class TelemetrySpool : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "tspool-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    shutdown_telemetry(1s);
    std::filesystem::remove_all(dir_);
  }

  static void decide(int count) {
    auto session = Agent("SpoolBot", {"read:*"}).start_session();
    for (int i = 0; i < count; ++i)
      check("read:x" + std::to_string(i));
  }

  std::filesystem::path dir_;
};

TEST_F(TelemetrySpool, AnOutageIsSpooledAndTheNextClientDeliversIt) {
  constexpr int kDecided = 95;
  std::string down = "http://127.0.0.1:" + std::to_string(testing::unused_loopback_port());
  configure_cloud(spooling_options(down, dir_));
  decide(kDecided);
  ASSERT_TRUE(flush_telemetry(30s));
  TelemetryCounters during = telemetry_counters();
  EXPECT_EQ(during.failed, 0U);
  EXPECT_EQ(during.dropped, 0U);
  EXPECT_EQ(during.sent, 0U);
  EXPECT_EQ(during.spooled_events, static_cast<std::uint64_t>(kDecided));
  EXPECT_GT(during.spooled_bytes, 0U);
  shutdown_telemetry(1s);
  EXPECT_EQ(telemetry_counters().spooled_events, static_cast<std::uint64_t>(kDecided));

  LoopbackHttpServer server;
  configure_cloud(spooling_options(server.url(), dir_));
  ASSERT_TRUE(spool_drains());
  TelemetryCounters after = telemetry_counters();
  EXPECT_EQ(after.spool_replayed, static_cast<std::uint64_t>(kDecided));
  EXPECT_EQ(after.sent, static_cast<std::uint64_t>(kDecided));
  std::vector<std::string> ids = event_ids(server.requests());
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kDecided));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  // Gzip bodies replay with their encoding header.
  for (const auto& request : server.requests())
    EXPECT_EQ(request.headers.at("content-encoding"), "gzip");
}

TEST_F(TelemetrySpool, ASpooledBatchIsRetriedByTheSameClientOnceTheServerAnswers) {
  auto healthy = std::make_shared<std::atomic<bool>>(false);
  LoopbackHttpServer server([healthy](const LoopbackHttpServer::Request& request) {
    if (!healthy->load())
      return LoopbackHttpServer::Response{503, R"({"error":"down"})", {}};
    return LoopbackHttpServer::store_all(request);
  });
  configure_cloud(spooling_options(server.url(), dir_));
  decide(30);
  ASSERT_TRUE(flush_telemetry(30s));
  EXPECT_EQ(telemetry_counters().spooled_events, 30U);
  EXPECT_EQ(telemetry_counters().failed, 0U);
  healthy->store(true);
  ASSERT_TRUE(spool_drains());
  EXPECT_EQ(telemetry_counters().sent, 30U);
  std::vector<std::string> ids = event_ids(server.requests());
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 30U);
}

TEST_F(TelemetrySpool, ReconfiguringOnTheSameDirectoryHandsTheSpoolOver) {
  std::string down = "http://127.0.0.1:" + std::to_string(testing::unused_loopback_port());
  configure_cloud(spooling_options(down, dir_));
  decide(25);
  ASSERT_TRUE(flush_telemetry(30s));
  ASSERT_EQ(telemetry_counters().spooled_events, 25U);
  LoopbackHttpServer server;
  configure_cloud(spooling_options(server.url(), dir_));  // No shutdown in between.
  ASSERT_TRUE(spool_drains());
  EXPECT_EQ(telemetry_counters().spool_replayed, 25U);
  std::vector<std::string> ids = event_ids(server.requests());
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 25U);
}

TEST_F(TelemetrySpool, ARefusedBatchLeavesTheSpool) {
  LoopbackHttpServer server([](const LoopbackHttpServer::Request&) {
    return LoopbackHttpServer::Response{400, R"({"error":"bad"})", {}};
  });
  configure_cloud(spooling_options(server.url(), dir_));
  decide(10);
  ASSERT_TRUE(flush_telemetry(30s));
  EXPECT_EQ(telemetry_counters().failed, 10U);
  EXPECT_EQ(telemetry_counters().spooled_events, 0U);
}

TEST_F(TelemetrySpool, PastTheBoundBatchesGoUnprotected) {
  LoopbackHttpServer server;
  CloudOptions options = spooling_options(server.url(), dir_);
  options.spool_max_bytes = 1;  // Holds nothing.
  configure_cloud(options);
  decide(20);
  ASSERT_TRUE(flush_telemetry(30s));
  EXPECT_EQ(telemetry_counters().sent, 20U);
  EXPECT_EQ(telemetry_counters().spool_skipped, 20U);
  EXPECT_EQ(telemetry_counters().spooled_events, 0U);
}

TEST_F(TelemetrySpool, AnUnusableDirectoryIsAConfigurationError) {
  std::filesystem::path file = dir_ / "a-file";
  { std::ofstream(file) << "x"; }
  EXPECT_THROW(configure_cloud(spooling_options("http://127.0.0.1:1", file)), ConfigurationError);
}

}  // namespace
}  // namespace agentsudo
