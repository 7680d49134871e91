// What a decision costs the thread that makes it. Telemetry benchmarks point
// at a closed 127.0.0.1 port with no retries, so the sender thread keeps
// draining (and serializing) the queue while the calling thread enqueues. A
// producer at ten million events a second outruns any sender, so those runs
// have a fixed iteration count and a queue large enough that no event is
// dropped: they measure the enqueue path, not the cheaper drop path
// (dropped_pct proves it).
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <agentsudo/agentsudo.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

// The managed benches are best compared with their local twins in one run,
// interleaved: --benchmark_enable_random_interleaving=true.
// White-box: the updates below are applied to the registry directly, as the
// policy thread does after each long-poll, so the figure is the check's cost
// under swaps and reclamation without HTTP noise on the two cores.
#include "sdk/policy_registry.hpp"
#include "sdk/snapshot_reclaimer.hpp"

namespace {

using namespace std::chrono_literals;

constexpr int kTelemetryIterations = 300000;

std::vector<std::string> exact_scopes(int count) {
  std::vector<std::string> scopes;
  for (int i = 0; i < count; ++i)
    scopes.push_back("tool" + std::to_string(i) + ":invoke");
  return scopes;
}

std::vector<std::string> wildcard_scopes(int count) {
  std::vector<std::string> scopes;
  for (int i = 0; i < count; ++i)
    scopes.push_back("tool" + std::to_string(i) + ":*");
  return scopes;
}

int closed_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), length);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// `compress` false: the sender skips gzip, which on two cores shares the
// calling thread's core (and its caches) when the sender runs flat out.
void start_telemetry(bool compress = true) {
  agentsudo::CloudOptions options;
  options.compress = compress;
  options.api_key = "as_bench";
  options.endpoint = "http://127.0.0.1:" + std::to_string(closed_loopback_port());
  options.batch_size = 1000;
  options.max_queue = kTelemetryIterations + 1000;
  options.max_retries = 0;
  options.flush_interval = 10ms;
  agentsudo::configure_cloud(options);
}

void report_telemetry(benchmark::State& state) {
  agentsudo::TelemetryCounters counters = agentsudo::telemetry_counters();
  state.counters["dropped_pct"] =
      100.0 * static_cast<double>(counters.dropped) /
      static_cast<double>(std::max<std::uint64_t>(1, counters.queued + counters.dropped));
  agentsudo::shutdown_telemetry(1s);
}

void BM_ScopeCheckExact(benchmark::State& state) {
  int count = static_cast<int>(state.range(0));
  agentsudo::Agent agent("BenchBot", exact_scopes(count));
  std::string required = "tool" + std::to_string(count - 1) + ":invoke";
  for (auto _ : state)
    benchmark::DoNotOptimize(agent.has_scope(required));
}
BENCHMARK(BM_ScopeCheckExact)->Arg(3)->Arg(100);

void BM_ScopeCheckWildcard(benchmark::State& state) {
  int count = static_cast<int>(state.range(0));
  agentsudo::Agent agent("BenchBot", wildcard_scopes(count));
  std::string required = "tool" + std::to_string(count - 1) + ":invoke";
  for (auto _ : state)
    benchmark::DoNotOptimize(agent.has_scope(required));
}
BENCHMARK(BM_ScopeCheckWildcard)->Arg(3)->Arg(100);

// The worst case for the prefix index: every pattern starts with a wildcard.
void BM_ScopeCheckLeadingWildcard(benchmark::State& state) {
  int count = static_cast<int>(state.range(0));
  std::vector<std::string> scopes;
  for (int i = 0; i < count; ++i)
    scopes.push_back("*:tool" + std::to_string(i));
  agentsudo::Agent agent("BenchBot", scopes);
  std::string required = "invoke:tool" + std::to_string(count - 1);
  for (auto _ : state)
    benchmark::DoNotOptimize(agent.has_scope(required));
}
BENCHMARK(BM_ScopeCheckLeadingWildcard)->Arg(3)->Arg(100);

// Applies a new policy version every 10 ms while it lives: the managed
// agent keeps the same scopes, so every check still grants, but each update
// swaps in a new snapshot and retires the old one (membarrier included).
class PolicyUpdates {
 public:
  PolicyUpdates(std::string agent, std::vector<std::string> scopes)
      : agent_(std::move(agent)), scopes_(std::move(scopes)) {
    apply();
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        std::this_thread::sleep_for(10ms);
        apply();
      }
    });
  }
  ~PolicyUpdates() {
    stop_ = true;
    thread_.join();
  }
  void report(benchmark::State& state) const {
    state.counters["updates"] = static_cast<double>(updates_.load());
    state.counters["membarrier"] = agentsudo::SnapshotReclaimer::uses_membarrier() ? 1 : 0;
  }

 private:
  void apply() {
    agentsudo::PolicyDocument document;
    document.version = ++version_;
    document.agents.push_back({.name = agent_, .scopes = scopes_});
    agentsudo::PolicyRegistry::instance().apply(document, agentsudo::PolicySource::kServer, 0);
    ++updates_;
  }

  std::string agent_;
  std::vector<std::string> scopes_;
  std::int64_t version_ = 0;
  std::atomic<std::uint64_t> updates_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void BM_ManagedScopeCheckExact(benchmark::State& state) {
  int count = static_cast<int>(state.range(0));
  PolicyUpdates updates("ManagedBenchBot", exact_scopes(count));
  agentsudo::Agent agent = agentsudo::Agent::managed("ManagedBenchBot");
  std::string required = "tool" + std::to_string(count - 1) + ":invoke";
  for (auto _ : state)
    benchmark::DoNotOptimize(agent.has_scope(required));
  updates.report(state);
}
BENCHMARK(BM_ManagedScopeCheckExact)->Arg(3)->Arg(100);

void BM_ManagedScopeCheckWildcard(benchmark::State& state) {
  int count = static_cast<int>(state.range(0));
  PolicyUpdates updates("ManagedBenchBot", wildcard_scopes(count));
  agentsudo::Agent agent = agentsudo::Agent::managed("ManagedBenchBot");
  std::string required = "tool" + std::to_string(count - 1) + ":invoke";
  for (auto _ : state)
    benchmark::DoNotOptimize(agent.has_scope(required));
  updates.report(state);
}
BENCHMARK(BM_ManagedScopeCheckWildcard)->Arg(3)->Arg(100);

// Local and managed checks timed back to back, in alternating batches, so
// that load from other processes on this shared machine hits both alike:
// the counters are the medians over batches of each one's cost per check,
// and the median of the per-batch ratios.
void paired_checks(benchmark::State& state, const std::vector<std::string>& scopes,
                   const std::string& required) {
  constexpr int kBatch = 20000;
  PolicyUpdates updates("PairedBenchBot", scopes);
  agentsudo::Agent managed = agentsudo::Agent::managed("PairedBenchBot");
  agentsudo::Agent local("PairedLocalBot", scopes);
  auto per_check = [&](const agentsudo::Agent& agent) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kBatch; ++i)
      benchmark::DoNotOptimize(agent.has_scope(required));
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
               .count() /
           kBatch;
  };
  std::vector<double> local_ns;
  std::vector<double> managed_ns;
  std::vector<double> ratios;
  for (auto _ : state) {
    // Alternate which goes first, so neither always follows the other.
    bool local_first = local_ns.size() % 2 == 0;
    double first = per_check(local_first ? local : managed);
    double second = per_check(local_first ? managed : local);
    local_ns.push_back(local_first ? first : second);
    managed_ns.push_back(local_first ? second : first);
    ratios.push_back(managed_ns.back() / local_ns.back());
  }
  auto median = [](std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  };
  state.counters["local_ns"] = median(local_ns);
  state.counters["managed_ns"] = median(managed_ns);
  state.counters["ratio"] = median(ratios);
  updates.report(state);
}

void BM_PairedScopeCheckExact(benchmark::State& state) {
  int count = static_cast<int>(state.range(0));
  paired_checks(state, exact_scopes(count), "tool" + std::to_string(count - 1) + ":invoke");
}
BENCHMARK(BM_PairedScopeCheckExact)->Arg(3)->Arg(100)->Iterations(400);

void BM_PairedScopeCheckWildcard(benchmark::State& state) {
  int count = static_cast<int>(state.range(0));
  paired_checks(state, wildcard_scopes(count), "tool" + std::to_string(count - 1) + ":invoke");
}
BENCHMARK(BM_PairedScopeCheckWildcard)->Arg(3)->Arg(100)->Iterations(400);

int lookup_order(int id) {
  return id;
}

void BM_GuardedCallAllowed(benchmark::State& state) {
  auto guarded = agentsudo::sudo("read:orders", lookup_order, {.function_name = "lookup_order"});
  auto session = agentsudo::Agent("BenchBot", {"read:orders", "write:*"}).start_session();
  int id = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(guarded(++id));
}
BENCHMARK(BM_GuardedCallAllowed);

void BM_ManagedGuardedCallAllowed(benchmark::State& state) {
  PolicyUpdates updates("ManagedBenchBot", {"read:orders", "write:*"});
  auto guarded = agentsudo::sudo("read:orders", lookup_order, {.function_name = "lookup_order"});
  auto session = agentsudo::Agent::managed("ManagedBenchBot").start_session();
  int id = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(guarded(++id));
  updates.report(state);
}
BENCHMARK(BM_ManagedGuardedCallAllowed);

void BM_GuardedCallAllowedTelemetry(benchmark::State& state) {
  start_telemetry();
  auto guarded = agentsudo::sudo("read:orders", lookup_order, {.function_name = "lookup_order"});
  auto session = agentsudo::Agent("BenchBot", {"read:orders", "write:*"}).start_session();
  int id = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(guarded(++id));
  report_telemetry(state);
}
BENCHMARK(BM_GuardedCallAllowedTelemetry)->Iterations(kTelemetryIterations);

void BM_GuardedCallAllowedTelemetryPlain(benchmark::State& state) {
  start_telemetry(/*compress=*/false);
  auto guarded = agentsudo::sudo("read:orders", lookup_order, {.function_name = "lookup_order"});
  auto session = agentsudo::Agent("BenchBot", {"read:orders", "write:*"}).start_session();
  int id = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(guarded(++id));
  report_telemetry(state);
}
BENCHMARK(BM_GuardedCallAllowedTelemetryPlain)->Iterations(kTelemetryIterations);

void BM_CheckAllowedTelemetry(benchmark::State& state) {
  start_telemetry();
  auto session = agentsudo::Agent("BenchBot", {"read:*"}).start_session();
  for (auto _ : state)
    benchmark::DoNotOptimize(agentsudo::check("read:orders"));
  report_telemetry(state);
}
BENCHMARK(BM_CheckAllowedTelemetry)->Iterations(kTelemetryIterations);

void BM_DeniedCallLogMode(benchmark::State& state) {
  auto guarded =
      agentsudo::sudo("delete:orders", lookup_order,
                      {.function_name = "delete_order", .on_denial = agentsudo::OnDenial::kLog});
  auto session = agentsudo::Agent("BenchBot", {"read:orders"}).start_session();
  int id = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(guarded(++id));
}
BENCHMARK(BM_DeniedCallLogMode);

void BM_DeniedCallLogModeTelemetry(benchmark::State& state) {
  start_telemetry();
  auto guarded =
      agentsudo::sudo("delete:orders", lookup_order,
                      {.function_name = "delete_order", .on_denial = agentsudo::OnDenial::kLog});
  auto session = agentsudo::Agent("BenchBot", {"read:orders"}).start_session();
  int id = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(guarded(++id));
  report_telemetry(state);
}
BENCHMARK(BM_DeniedCallLogModeTelemetry)->Iterations(kTelemetryIterations);

}  // namespace

BENCHMARK_MAIN();
