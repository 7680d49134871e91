// Delivery under load (bench/sdk_delivery.sh): guarded calls on several
// threads, with the CloudOptions defaults a new user gets, against the server
// named by AGENTSUDO_ENDPOINT / AGENTSUDO_API_KEY. For each scenario, a fresh
// telemetry client; the calls, then a flush; prints one JSON line:
// decided, delivered (stored, HTTP 200), dropped, failed, and the calling
// thread's cost per guarded call (p50, p99, from a clock read around each).
//
//   agentsudo_delivery_bench [--threads 4] [--compress 0|1] [--spool-dir DIR] SCENARIO...
//   SCENARIO: rate:CALLS_PER_SECOND:SECONDS   paced, spread over the threads
//             burst:CALLS                     as fast as the threads go
#include <agentsudo/agentsudo.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Scenario {
  std::string label;
  std::int64_t calls = 0;
  double rate = 0;  // Calls a second in all; 0 for a burst.
};

Scenario parse_scenario(const std::string& text) {
  Scenario scenario{.label = text};
  if (text.rfind("burst:", 0) == 0) {
    scenario.calls = std::stoll(text.substr(6));
  } else if (text.rfind("rate:", 0) == 0) {
    std::size_t colon = text.find(':', 5);
    if (colon == std::string::npos)
      throw std::invalid_argument("rate:CALLS_PER_SECOND:SECONDS expected");
    scenario.rate = std::stod(text.substr(5, colon - 5));
    scenario.calls = static_cast<std::int64_t>(scenario.rate * std::stod(text.substr(colon + 1)));
  } else {
    throw std::invalid_argument("unknown scenario " + text);
  }
  return scenario;
}

int order(int id) {
  return id;
}

// One thread's share: `calls` guarded calls, paced at `rate` a second when
// rate > 0 (checked every few calls so that pacing costs no clock read per
// call beyond the two that time it). Returns each call's cost in ns.
std::vector<std::uint32_t> run_calls(int thread, std::int64_t calls, double rate) {
  auto guarded = agentsudo::sudo("read:orders", order, {.function_name = "read_order"});
  auto session = agentsudo::Agent("bench-" + std::to_string(thread), {"read:*"}).start_session();
  std::vector<std::uint32_t> cost_ns;
  cost_ns.reserve(static_cast<std::size_t>(calls));
  auto start = Clock::now();
  for (std::int64_t i = 0; i < calls; ++i) {
    if (rate > 0 && i % 16 == 0) {
      auto due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * i / rate));
      if (Clock::now() < due)
        std::this_thread::sleep_until(due);
    }
    auto before = Clock::now();
    int result = guarded(static_cast<int>(i));
    auto after = Clock::now();
    if (result != static_cast<int>(i))
      std::abort();
    cost_ns.push_back(
        static_cast<std::uint32_t>(std::min<std::int64_t>((after - before) / 1ns, UINT32_MAX)));
  }
  return cost_ns;
}

void run(const Scenario& scenario, int threads, bool compress, const std::string& spool_dir) {
  agentsudo::CloudOptions options;  // Key and endpoint from the environment.
  options.compress = compress;
  options.spool_dir = spool_dir;
  agentsudo::configure_cloud(options);
  std::vector<std::vector<std::uint32_t>> costs(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    std::int64_t share = scenario.calls / threads + (t < scenario.calls % threads ? 1 : 0);
    double rate = scenario.rate / threads;
    workers.emplace_back([&costs, t, share, rate] {
      costs[static_cast<std::size_t>(t)] = run_calls(t, share, rate);
    });
  }
  for (auto& worker : workers)
    worker.join();
  double calling_s = std::chrono::duration<double>(Clock::now() - start).count();
  bool flushed = agentsudo::flush_telemetry(300s);
  double flushed_s = std::chrono::duration<double>(Clock::now() - start).count();
  agentsudo::TelemetryCounters counters = agentsudo::telemetry_counters();
  agentsudo::shutdown_telemetry(5s);

  std::vector<std::uint32_t> all;
  for (auto& part : costs)
    all.insert(all.end(), part.begin(), part.end());
  std::sort(all.begin(), all.end());
  auto percentile = [&](double p) {
    return all.empty() ? 0U
                       : all[static_cast<std::size_t>(p * static_cast<double>(all.size() - 1))];
  };
  std::printf(
      "DELIVERY_RESULT {\"scenario\":\"%s\",\"threads\":%d,\"compress\":%s,\"spool\":%s,"
      "\"decided\":%zu,"
      "\"delivered\":%llu,\"dropped\":%llu,\"failed\":%llu,\"retried\":%llu,"
      "\"flushed\":%s,\"calling_s\":%.3f,\"until_flushed_s\":%.3f,\"p50_ns\":%u,\"p99_ns\":%u}\n",
      scenario.label.c_str(), threads, compress ? "true" : "false",
      spool_dir.empty() ? "false" : "true", all.size(),
      static_cast<unsigned long long>(counters.sent),
      static_cast<unsigned long long>(counters.dropped),
      static_cast<unsigned long long>(counters.failed),
      static_cast<unsigned long long>(counters.retried), flushed ? "true" : "false", calling_s,
      flushed_s, percentile(0.50), percentile(0.99));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 4;
  bool compress = true;
  std::string spool_dir;
  std::vector<Scenario> scenarios;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--threads" && i + 1 < argc) {
        threads = std::stoi(argv[++i]);
      } else if (arg == "--compress" && i + 1 < argc) {
        compress = std::string(argv[++i]) != "0";
      } else if (arg == "--spool-dir" && i + 1 < argc) {
        spool_dir = argv[++i];
      } else {
        scenarios.push_back(parse_scenario(arg));
      }
    }
    if (scenarios.empty() || threads < 1)
      throw std::invalid_argument("no scenario");
  } catch (const std::exception& error) {
    std::fprintf(stderr,
                 "%s\nusage: %s [--threads N] [--compress 0|1] [--spool-dir DIR] "
                 "rate:CALLS_PER_SECOND:SECONDS | burst:CALLS ...\n",
                 error.what(), argv[0]);
    return 2;
  }
  for (const Scenario& scenario : scenarios)
    run(scenario, threads, compress, spool_dir);
  return 0;
}
