#include "server/metrics/metrics.hpp"

#include <cstdio>
#include <string_view>

namespace agentsudo::server {
namespace {

std::string format_number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", value);
  return buf;
}

// One unlabelled counter or gauge in the text format: HELP, TYPE, sample.
template <class Number>
void append_scalar(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help, Number value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1) {}

void Histogram::observe(double value) {
  std::size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i])
    ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double sum = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed)) {
  }
}

void Histogram::render(const std::string& name, std::string& out) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string le = i < bounds_.size() ? format_number(bounds_[i]) : "+Inf";
    out += name + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += name + "_sum " + format_number(sum_.load(std::memory_order_relaxed)) + "\n";
  out += name + "_count " + std::to_string(count_.load(std::memory_order_relaxed)) + "\n";
}

Metrics::Metrics()
    : commit_batch_size({1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000}),
      request_duration({0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                        0.5, 1, 2.5}) {}

void Metrics::record_request(const std::string& route, unsigned status, double seconds) {
  request_duration.observe(seconds);
  std::lock_guard lock(requests_mutex_);
  ++requests_[{route, status}];
}

void Metrics::set_sdk_loss_source(std::function<std::optional<SdkLoss>()> source) {
  sdk_loss_ = std::move(source);
}

std::string Metrics::render() const {
  std::string out;
  out += "# HELP agentsudo_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE agentsudo_http_requests_total counter\n";
  {
    std::lock_guard lock(requests_mutex_);
    for (const auto& [key, count] : requests_) {
      out += "agentsudo_http_requests_total{route=\"" + key.first + "\",status=\"" +
             std::to_string(key.second) + "\"} " + std::to_string(count) + "\n";
    }
  }
  append_scalar(out, "agentsudo_events_stored_total", "counter", "Events committed to the store.",
                events_stored.value());
  append_scalar(out, "agentsudo_quota_rejections_total", "counter",
                "Ingest requests refused by a daily quota.", quota_rejections.value());
  append_scalar(out, "agentsudo_login_throttled_total", "counter",
                "Logins refused before their password was checked.", login_throttled.value());
  append_scalar(out, "agentsudo_ingest_storage_full_total", "counter",
                "Ingest requests refused (503) for a full disk.", ingest_storage_full.value());
  append_scalar(out, "agentsudo_key_cache_hits_total", "counter",
                "API keys resolved from the key cache.", key_cache_hits.value());
  append_scalar(out, "agentsudo_key_cache_misses_total", "counter",
                "API keys resolved by a store read.", key_cache_misses.value());
  append_scalar(out, "agentsudo_policy_waiters", "gauge",
                "Long-polls for a policy change held open now.", policy_waiters.value());
  append_scalar(out, "agentsudo_approval_waiters", "gauge",
                "Waits for an approval decision held open now.", approval_waiters.value());
  append_scalar(out, "agentsudo_connections_refused_total", "counter",
                "Connections closed unserved: over --max-connections, or no descriptor left.",
                connections_refused.value());
  append_scalar(out, "agentsudo_connections_open", "gauge", "Connections being served now.",
                connections_open.value());
  append_scalar(out, "agentsudo_requests_timed_out_total", "counter",
                "Requests that did not arrive whole within the request timeout (answered 408).",
                requests_timed_out.value());
  if (auto loss = sdk_loss_ ? sdk_loss_() : std::nullopt) {
    append_scalar(out, "agentsudo_sdk_events_dropped_total", "counter",
                  "Events the SDK instances reported dropping (AgentSudo-Dropped).", loss->dropped);
    append_scalar(out, "agentsudo_sdk_sequence_gaps", "gauge",
                  "Event sequence numbers from SDK instances never received.", loss->gaps);
  }
  out += "# HELP agentsudo_commit_batch_size Events per durable commit (group commit).\n";
  out += "# TYPE agentsudo_commit_batch_size histogram\n";
  commit_batch_size.render("agentsudo_commit_batch_size", out);
  out += "# HELP agentsudo_request_duration_seconds Time from request read to response.\n";
  out += "# TYPE agentsudo_request_duration_seconds histogram\n";
  request_duration.render("agentsudo_request_duration_seconds", out);
  return out;
}

}  // namespace agentsudo::server
