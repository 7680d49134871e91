// End to end against the real agentsudo-server: agents on several threads make
// allowed, denied, audited, approved and rejected calls; every event must come
// back once, with the right fields, through the server's read API.
#include <gtest/gtest.h>

#include <agentsudo/agentsudo.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <map>
#include <thread>

#include "core/timestamp.hpp"
#include "local_server_process.hpp"

namespace agentsudo {
namespace {

using namespace std::chrono_literals;
using testing::LocalServerProcess;

constexpr int kThreads = 4;
constexpr int kAllowedPerThread = 20;

// Reads every event of the project back, following the cursor.
std::vector<boost::json::object> read_back(const LocalServerProcess& server) {
  std::vector<boost::json::object> events;
  std::string base =
      server.endpoint() + "/api/v1/projects/" + server.project_id() + "/events?limit=1000";
  std::string url = base;
  while (true) {
    boost::json::value page = boost::json::parse(testing::http_get(url, server.management_token()));
    for (const auto& event : page.at("events").as_array())
      events.push_back(event.as_object());
    const auto& cursor = page.at("next_cursor");
    if (cursor.is_null())
      break;
    url = base + "&cursor=" + std::string(cursor.as_string());
  }
  return events;
}

// What this thread's approval callback answers.
thread_local bool current_approval = false;

// The server under test: the build's, unless AGENTSUDO_SERVER_BIN names another.
std::string server_binary() {
  const char* override_path = std::getenv("AGENTSUDO_SERVER_BIN");
  return override_path != nullptr ? override_path : AGENTSUDO_SERVER_BIN;
}

// One agent's worth of every kind of decision.
void run_agent(int index) {
  Agent agent("it-agent-" + std::to_string(index), {"read:*", "write:orders"});
  auto read_order = sudo("read:orders", [](int id) { return id; }, {.function_name = "read_order"});
  auto drop_table = sudo("admin:drop", [] {}, {.function_name = "drop_table"});
  auto export_all =
      sudo("export:all", [] {}, {.function_name = "export_all", .on_denial = OnDenial::kLog});
  auto refund = sudo("write:refunds", [](bool approve) { return approve; },
                     {.function_name = "refund",
                      .on_denial = OnDenial::kCallback,
                      .approve = [](const Agent&, std::string_view, const CallContext&) {
                        return current_approval;
                      }});
  auto session = agent.start_session();
  for (int i = 0; i < kAllowedPerThread; ++i)
    read_order(i);
  EXPECT_THROW(drop_table(), PermissionDenied);
  export_all();
  current_approval = true;
  refund(true);
  current_approval = false;
  EXPECT_THROW(refund(false), PermissionDenied);
}

TEST(ServerIntegration, EveryEventArrivesOnceWithTheRightFields) {
  LocalServerProcess server(server_binary());
  CloudOptions options;
  options.api_key = server.api_key();
  options.endpoint = server.endpoint();
  options.batch_size = 7;  // Not a divisor: partial batches too.
  options.flush_interval = 100ms;
  configure_cloud(options);

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back(run_agent, t);
  for (auto& thread : threads)
    thread.join();
  bool flushed = flush_telemetry(20s);
  TelemetryCounters counters = telemetry_counters();
  ASSERT_TRUE(flushed) << "sent " << counters.sent << ", retried " << counters.retried
                       << ", failed " << counters.failed << ", pending " << counters.pending;
  EXPECT_EQ(counters.failed + counters.dropped, 0U);

  std::map<std::pair<std::string, std::string>, int> by_agent_and_action;
  std::vector<boost::json::object> events = read_back(server);
  for (const auto& event : events) {
    ++by_agent_and_action[{std::string(event.at("agent_name").as_string()),
                           std::string(event.at("action").as_string())}];
    EXPECT_TRUE(parse_rfc3339(event.at("timestamp").as_string()).has_value());
  }
  EXPECT_EQ(events.size(), static_cast<std::size_t>(kThreads * (kAllowedPerThread + 4)));
  EXPECT_EQ(counters.sent, events.size());
  for (int t = 0; t < kThreads; ++t) {
    std::string agent = "it-agent-" + std::to_string(t);
    EXPECT_EQ((by_agent_and_action[{agent, "permission_check"}]), kAllowedPerThread) << agent;
    EXPECT_EQ((by_agent_and_action[{agent, "permission_denied"}]), 1) << agent;
    EXPECT_EQ((by_agent_and_action[{agent, "audit_violation"}]), 1) << agent;
    EXPECT_EQ((by_agent_and_action[{agent, "callback_approved"}]), 1) << agent;
    EXPECT_EQ((by_agent_and_action[{agent, "callback_denied"}]), 1) << agent;
  }
  for (const auto& event : events) {
    if (event.at("action") != "audit_violation" || event.at("agent_name") != "it-agent-0")
      continue;
    EXPECT_EQ(event.at("scope"), "export:all");
    EXPECT_EQ(event.at("function_name"), "export_all");
    EXPECT_EQ(event.at("allowed"), false);
    const auto& metadata = event.at("metadata").as_object();
    EXPECT_EQ(metadata.at("reason"), "scope_not_held");
    EXPECT_EQ(metadata.at("role"), "worker");
    EXPECT_EQ(metadata.at("session_id").as_string().size(), 16U);
  }
  shutdown_telemetry(5s);
}

TEST(ServerIntegration, StoppedServerSlowsNothingAndBreaksNothing) {
  LocalServerProcess server(server_binary());
  CloudOptions options;
  options.api_key = server.api_key();
  options.endpoint = server.endpoint();
  options.flush_interval = 50ms;
  options.max_retries = 1;
  options.retry_base_delay = 10ms;
  options.max_queue = 1000;
  configure_cloud(options);
  server.stop();

  auto read_order = sudo("read:orders", [](int id) { return id; });
  auto session = Agent("it-agent-down", {"read:*"}).start_session();
  constexpr int kCalls = 20000;
  auto start = std::chrono::steady_clock::now();
  long sum = 0;
  for (int i = 0; i < kCalls; ++i)
    sum += read_order(1);
  auto per_call = (std::chrono::steady_clock::now() - start) / kCalls;
  EXPECT_EQ(sum, kCalls);
  EXPECT_LT(per_call, 20us);
  EXPECT_TRUE(flush_telemetry(10s));
  TelemetryCounters counters = telemetry_counters();
  EXPECT_EQ(counters.sent, 0U);
  EXPECT_EQ(counters.queued + counters.dropped, static_cast<std::uint64_t>(kCalls));
  EXPECT_EQ(counters.failed, counters.queued);
  shutdown_telemetry(1s);
}

}  // namespace
}  // namespace agentsudo
