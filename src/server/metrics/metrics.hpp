#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace agentsudo::server {

// A monotonically increasing count. Thread-safe, lock-free.
class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down. Thread-safe, lock-free.
class Gauge {
 public:
  void add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// A Prometheus histogram with fixed upper bounds. Thread-safe, lock-free.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  // Appends the _bucket, _sum and _count lines for `name`.
  void render(const std::string& name, std::string& out) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::atomic<std::uint64_t>> buckets_;  // one per bound, plus +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// SDK loss across every project, as the store has it.
struct SdkLoss {
  std::int64_t dropped = 0;  // events the SDK instances reported dropping
  std::int64_t gaps = 0;     // sequence numbers never received
};

// Everything /metrics reports. One instance per server; layers record into it
// and know nothing of the text format. Thread-safe.
class Metrics {
 public:
  Metrics();

  void record_request(const std::string& route, unsigned status, double seconds);

  Counter events_stored;
  Counter quota_rejections;
  // Logins refused with 429 before their password was checked.
  Counter login_throttled;
  Counter ingest_storage_full;  // ingest requests refused (503) because the disk was full
  Counter key_cache_hits;       // API keys resolved from memory
  Counter key_cache_misses;     // API keys resolved by a store read
  Gauge policy_waiters;         // long-polls on GET /v1/policy held open now
  Gauge approval_waiters;       // waits on GET /v1/approvals/{id} held open now
  Counter connections_refused;  // closed unserved: over the cap, or no descriptor left
  Gauge connections_open;       // connections being served now
  Counter requests_timed_out;   // requests not whole within the request timeout (408)
  Histogram commit_batch_size;
  Histogram request_duration;

  // Where the SDK loss figures come from: read at each scrape, so they are
  // the store's and survive a restart. Set once, before serving; unset, or
  // answering nothing, leaves them out.
  void set_sdk_loss_source(std::function<std::optional<SdkLoss>()> source);

  // The Prometheus text exposition format, version 0.0.4.
  std::string render() const;

 private:
  std::function<std::optional<SdkLoss>()> sdk_loss_;
  mutable std::mutex requests_mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;  // guarded
};

}  // namespace agentsudo::server
