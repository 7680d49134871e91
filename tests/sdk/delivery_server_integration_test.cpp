// The delivery table as behaviour, against the real agentsudo-server
// with a project whose quota is no limit: with the defaults a new user gets,
// every event decided is stored exactly once after a flush, for a burst and
// for a sustained rate. No timing is asserted; bench/sdk/delivery_bench.cpp
// measures.
#include <gtest/gtest.h>

#include <agentsudo/agentsudo.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <set>
#include <thread>

#include "local_server_process.hpp"

namespace agentsudo {
namespace {

using namespace std::chrono_literals;
using testing::LocalServerProcess;

// Events a day: far beyond what a test sends.
constexpr const char* kUnlimitedTier = "1000000000";
constexpr int kThreads = 4;

std::string server_binary() {
  const char* override_path = std::getenv("AGENTSUDO_SERVER_BIN");
  return override_path != nullptr ? override_path : AGENTSUDO_SERVER_BIN;
}

// The defaults (gzip bodies included), pointed at `server`.
CloudOptions defaults_for(const LocalServerProcess& server) {
  CloudOptions options;
  options.api_key = server.api_key();
  options.endpoint = server.endpoint();
  return options;
}

// The ids of every event of the project, read back page by page.
std::vector<std::string> stored_ids(const LocalServerProcess& server) {
  std::vector<std::string> ids;
  std::string base =
      server.endpoint() + "/api/v1/projects/" + server.project_id() + "/events?limit=1000";
  std::string url = base;
  while (true) {
    boost::json::value page = boost::json::parse(testing::http_get(url, server.management_token()));
    for (const auto& event : page.at("events").as_array())
      ids.emplace_back(event.at("id").as_string());
    const auto& cursor = page.at("next_cursor");
    if (cursor.is_null())
      break;
    url = base + "&cursor=" + std::string(cursor.as_string());
  }
  return ids;
}

void expect_all_stored_once(const LocalServerProcess& server, std::uint64_t decided) {
  bool flushed = flush_telemetry(120s);
  TelemetryCounters counters = telemetry_counters();
  ASSERT_TRUE(flushed) << "sent " << counters.sent << ", pending " << counters.pending;
  EXPECT_EQ(counters.dropped, 0U);
  EXPECT_EQ(counters.failed, 0U);
  EXPECT_EQ(counters.sent, decided);
  std::vector<std::string> ids = stored_ids(server);
  EXPECT_EQ(ids.size(), decided);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

TEST(DeliveryIntegration, BurstOfAHundredThousandIsStoredOnce) {
  LocalServerProcess server(server_binary(), kUnlimitedTier);
  configure_cloud(defaults_for(server));
  constexpr int kEach = 25000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      auto guarded = sudo("read:orders", [](int id) { return id; });
      auto session = Agent("burst-" + std::to_string(t), {"read:*"}).start_session();
      for (int i = 0; i < kEach; ++i)
        guarded(i);
    });
  }
  for (auto& thread : threads)
    thread.join();
  expect_all_stored_once(server, kThreads * kEach);
  shutdown_telemetry(5s);
}

// A rate this shared two-core machine holds beside the server, paced per
// thread: what matters is that nothing is lost, not how fast.
TEST(DeliveryIntegration, SustainedRateIsStoredOnce) {
  LocalServerProcess server(server_binary(), kUnlimitedTier);
  configure_cloud(defaults_for(server));
  constexpr int kPerThreadPerSecond = 2500;
  constexpr int kSeconds = 3;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      auto guarded = sudo("read:orders", [](int id) { return id; });
      auto session = Agent("steady-" + std::to_string(t), {"read:*"}).start_session();
      auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < kPerThreadPerSecond * kSeconds; ++i) {
        std::this_thread::sleep_until(
            start + std::chrono::microseconds(1000000LL * i / kPerThreadPerSecond));
        guarded(i);
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  expect_all_stored_once(server, kThreads * kPerThreadPerSecond * kSeconds);
  shutdown_telemetry(5s);
}

}  // namespace
}  // namespace agentsudo
