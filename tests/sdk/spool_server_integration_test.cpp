// The spool against the real agentsudo-server: the server is killed with
// SIGKILL while an SDK with a spool sends, the SDK process "restarts" (a new
// client on the same spool directory) while the server is down, the server
// restarts on its data directory, and after the replay every event decided is
// stored exactly once. No timing is asserted.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <agentsudo/agentsudo.hpp>
#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <set>
#include <thread>

#include "local_server_process.hpp"

namespace agentsudo {
namespace {

using namespace std::chrono_literals;
using testing::LocalServerProcess;

constexpr const char* kUnlimitedTier = "1000000000";

std::string server_binary() {
  const char* override_path = std::getenv("AGENTSUDO_SERVER_BIN");
  return override_path != nullptr ? override_path : AGENTSUDO_SERVER_BIN;
}

CloudOptions spooling_options(const LocalServerProcess& server, const std::string& spool_dir) {
  CloudOptions options;
  options.api_key = server.api_key();
  options.endpoint = server.endpoint();
  options.spool_dir = spool_dir;
  // Out of retries soon, so that batches land in the spool while the server is away.
  options.max_retries = 2;
  options.retry_base_delay = 20ms;
  options.retry_max_delay = 200ms;
  options.request_timeout = 5000ms;
  return options;
}

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

void decide_on_threads(int threads, int each, const std::string& prefix) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([=] {
      auto session = Agent(prefix + std::to_string(t), {"read:*"}).start_session();
      for (int i = 0; i < each; ++i)
        check("read:orders");
    });
  }
  for (auto& worker : workers)
    worker.join();
}

// Waits (a generous deadline, not a timing claim) until the spool is empty.
bool spool_drains() {
  auto deadline = std::chrono::steady_clock::now() + 120s;
  while (telemetry_counters().spooled_events != 0) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

TEST(SpoolIntegration, ServerKilledMidStreamLosesNothingAndDuplicatesNothing) {
  LocalServerProcess server(server_binary(), kUnlimitedTier);
  std::string pattern = (std::filesystem::temp_directory_path() / "sdk-spool-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::string spool_dir = pattern;

  configure_cloud(spooling_options(server, spool_dir));
  // The server dies with SIGKILL as soon as it has stored something: the
  // requests then in flight lose their answers or their commits.
  std::thread killer([&] {
    while (telemetry_counters().sent == 0)
      std::this_thread::sleep_for(1ms);
    server.kill_hard();
  });
  constexpr int kThreads = 4;
  constexpr int kEach = 10000;
  decide_on_threads(kThreads, kEach, "before-kill-");
  killer.join();
  decide_on_threads(kThreads, 1000, "while-down-");
  ASSERT_TRUE(flush_telemetry(120s));
  TelemetryCounters first = telemetry_counters();
  EXPECT_EQ(first.dropped, 0U);
  EXPECT_EQ(first.failed, 0U);
  EXPECT_EQ(first.sent + first.spooled_events, first.queued);
  EXPECT_GT(first.spooled_events, 0U);
  // The SDK's process ends while the server is still down.
  shutdown_telemetry(1s);

  server.restart();
  configure_cloud(spooling_options(server, spool_dir));
  decide_on_threads(kThreads, 1000, "after-restart-");
  ASSERT_TRUE(flush_telemetry(120s));
  ASSERT_TRUE(spool_drains()) << telemetry_counters().spooled_events << " still spooled";
  TelemetryCounters second = telemetry_counters();
  EXPECT_EQ(second.dropped, 0U);
  EXPECT_EQ(second.failed, 0U);
  EXPECT_EQ(second.spool_replayed, first.spooled_events);
  shutdown_telemetry(5s);

  std::uint64_t decided = first.queued + second.queued;
  std::vector<std::string> ids = stored_ids(server);
  EXPECT_EQ(ids.size(), decided);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  std::filesystem::remove_all(spool_dir);
}

}  // namespace
}  // namespace agentsudo
