// Sends decisions to a local AgentSudo server. Start one with `make run`,
// create a project, then:
//   AGENTSUDO_API_KEY=as_... AGENTSUDO_ENDPOINT=http://127.0.0.1:8080
//   ./example_telemetry_local_server
#include <agentsudo/agentsudo.hpp>
#include <cstdlib>
#include <iostream>

int main() {
  if (std::getenv("AGENTSUDO_API_KEY") == nullptr) {
    std::cerr << "Set AGENTSUDO_API_KEY (from `agentsudo-server project create`) and "
                 "AGENTSUDO_ENDPOINT (default http://127.0.0.1:8080).\n";
    return 2;
  }
  agentsudo::CloudOptions options;  // Key and endpoint from the environment.
  options.flush_interval = std::chrono::milliseconds(200);
  agentsudo::configure_cloud(options);

  agentsudo::Agent support_bot("SupportBot", {"read:orders", "write:refunds"});
  auto read_order =
      agentsudo::sudo("read:orders", [](int id) { return id; }, {.function_name = "read_order"});
  auto delete_order =
      agentsudo::sudo("delete:orders", [](int id) { return id; },
                      {.function_name = "delete_order", .on_denial = agentsudo::OnDenial::kLog});
  {
    auto session = support_bot.start_session();
    for (int id = 1; id <= 5; ++id)
      read_order(id);
    delete_order(6);  // Audit mode: recorded as audit_violation, runs anyway.
  }

  bool flushed = agentsudo::flush_telemetry(std::chrono::seconds(10));
  agentsudo::TelemetryCounters counters = agentsudo::telemetry_counters();
  std::cout << "sent " << counters.sent << " events, failed " << counters.failed << ", dropped "
            << counters.dropped << "\n";
  // No shutdown call needed: what is still queued is flushed at exit.
  return flushed && counters.sent == 6 ? 0 : 1;
}
