#include "sdk/telemetry_client.hpp"

#include <algorithm>
#include <cstdlib>

#include "agentsudo/errors.hpp"
#include "sdk/event_clock.hpp"
#include "sdk/event_json.hpp"
#include "sdk/http_client.hpp"
#include "sdk/retry_backoff.hpp"

namespace agentsudo {
namespace {

constexpr std::size_t kMaxBatchSize = 1000;  // The server's limit per request.
constexpr const char* kDefaultEndpoint = "http://127.0.0.1:8080";

std::string from_environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

void validate(const CloudOptions& options) {
  if (options.api_key.empty()) {
    throw ConfigurationError(
        "configure_cloud: no API key; set CloudOptions::api_key or AGENTSUDO_API_KEY");
  }
  if (options.batch_size == 0 || options.batch_size > kMaxBatchSize) {
    throw ConfigurationError("configure_cloud: batch_size must be 1 to 1000");
  }
  if (options.max_queue < options.batch_size) {
    throw ConfigurationError("configure_cloud: max_queue must be at least batch_size");
  }
  if (options.flush_interval.count() <= 0 || options.request_timeout.count() <= 0 ||
      options.retry_base_delay.count() <= 0 || options.retry_max_delay < options.retry_base_delay ||
      options.max_retries < 0) {
    throw ConfigurationError("configure_cloud: intervals must be positive, retries non-negative");
  }
}

std::string serialize_batch(std::span<const EventRecord> batch) {
  // About the size of a permission check's event, so most batches fit at once.
  constexpr std::size_t kTypicalEventBytes = 256;
  std::string body;
  body.reserve(batch.size() * kTypicalEventBytes + 2);
  body.push_back('[');
  EventBatchWriter writer;
  for (const EventRecord& event : batch) {
    if (body.size() > 1)
      body.push_back(',');
    writer.append(body, event);
  }
  body.push_back(']');
  return body;
}

bool is_retryable(const HttpResponse& response) {
  return response.status == 0 || response.status == 408 || response.status >= 500;
}

}  // namespace

TelemetrySettings TelemetrySettings::resolve(CloudOptions options) {
  if (options.api_key.empty())
    options.api_key = from_environment("AGENTSUDO_API_KEY");
  if (options.endpoint.empty())
    options.endpoint = from_environment("AGENTSUDO_ENDPOINT");
  if (options.endpoint.empty())
    options.endpoint = kDefaultEndpoint;
  validate(options);
  std::string base = options.endpoint;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  return TelemetrySettings{.events_url = base + "/api/events",
                           .api_key = options.api_key,
                           .options = std::move(options)};
}

TelemetryClient::TelemetryClient(TelemetrySettings settings)
    : settings_(std::move(settings)), queue_(settings_.options.max_queue) {
  sender_ = std::thread([this] { run(); });
}

TelemetryClient::~TelemetryClient() {
  shutdown(Clock::now());
}

void TelemetryClient::enqueue(EventRecord&& event) noexcept {
  bool batch_ready = false;
  {
    std::lock_guard lock(mutex_);
    if (stopped_ || stopping_ || !queue_.push(std::move(event))) {
      ++counters_.dropped;
      return;
    }
    ++counters_.queued;
    // Wake the sender once per batch, not once per event: waking is a syscall.
    batch_ready = queue_.size() == settings_.options.batch_size;
  }
  if (batch_ready)
    work_ready_.notify_one();
}

bool TelemetryClient::flush(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  std::uint64_t target = counters_.queued;
  flush_target_ = std::max(flush_target_, target);
  work_ready_.notify_one();
  return progress_.wait_until(lock, deadline, [&] { return handled_ >= target || stopped_; }) &&
         handled_ >= target;
}

void TelemetryClient::shutdown(Clock::time_point deadline) {
  std::lock_guard join_lock(join_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (stopped_)
      return;
    stopping_ = true;
    stop_deadline_ = deadline;
    flush_target_ = counters_.queued;
  }
  work_ready_.notify_one();
  if (sender_.joinable())
    sender_.join();
  std::lock_guard lock(mutex_);
  counters_.dropped += queue_.release();
  stopped_ = true;
  progress_.notify_all();
}

TelemetryCounters TelemetryClient::counters() const {
  std::lock_guard lock(mutex_);
  TelemetryCounters snapshot = counters_;
  snapshot.pending = queue_.size() + in_flight_;
  return snapshot;
}

void TelemetryClient::run() {
  HttpClient http;  // One handle for the thread's life: its connection stays open.
  std::vector<EventRecord> taken;
  // Swapped with the queue's storage: reserving here keeps enqueue allocation-free.
  taken.reserve(settings_.options.max_queue);
  std::unique_lock lock(mutex_);
  while (wait_for_batch(lock)) {
    queue_.take_all(taken);
    in_flight_ = taken.size();
    lock.unlock();
    send_in_batches(http, taken);
    EventClock::refresh();
    taken.clear();  // Releases sessions and sites outside the lock.
    lock.lock();
  }
}

void TelemetryClient::send_in_batches(HttpClient& http, std::span<const EventRecord> events) {
  const std::size_t batch_size = settings_.options.batch_size;
  for (std::size_t first = 0; first < events.size(); first += batch_size) {
    auto batch = events.subspan(first, std::min(batch_size, events.size() - first));
    BatchOutcome outcome = deliver(http, serialize_batch(batch));
    std::lock_guard lock(mutex_);
    record_outcome(outcome, batch.size());
  }
}

bool TelemetryClient::wait_for_batch(std::unique_lock<std::mutex>& lock) {
  auto next_send = Clock::now() + settings_.options.flush_interval;
  while (true) {
    if (stopping_ && (queue_.empty() || Clock::now() >= stop_deadline_))
      return false;
    bool flushing = flush_target_ > handled_;
    if (!queue_.empty() && (stopping_ || flushing || Clock::now() >= next_send ||
                            queue_.size() >= settings_.options.batch_size)) {
      return true;
    }
    if (queue_.empty() && Clock::now() >= next_send) {
      next_send = Clock::now() + settings_.options.flush_interval;
    }
    work_ready_.wait_until(lock, next_send);
  }
}

TelemetryClient::BatchOutcome TelemetryClient::deliver(HttpClient& http, const std::string& body) {
  RetryBackoff backoff(settings_.options.retry_base_delay, settings_.options.retry_max_delay);
  int failures = 0;
  while (true) {
    auto budget = request_budget();
    if (budget.count() <= 0)
      return BatchOutcome::kAbandoned;
    HttpResponse response = http.post_json(settings_.events_url, body, settings_.api_key, budget);
    if (response.status == 200)
      return BatchOutcome::kSent;
    std::chrono::milliseconds wait;
    if (response.status == 429) {
      // Quota spent: the server says when it resets; that wait is not a failure.
      wait = response.retry_after ? std::chrono::milliseconds(*response.retry_after)
                                  : backoff.delay(failures);
    } else if (is_retryable(response) && failures < settings_.options.max_retries) {
      wait = backoff.delay(failures++);
    } else {
      return BatchOutcome::kFailed;  // Refused as invalid, or out of retries.
    }
    if (!pause(wait))
      return BatchOutcome::kAbandoned;
    std::lock_guard lock(mutex_);
    ++counters_.retried;
  }
}

bool TelemetryClient::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  auto wake_at = Clock::now() + delay;
  while (true) {
    auto until = stopping_ ? std::min(wake_at, stop_deadline_) : wake_at;
    if (Clock::now() >= until)
      break;
    work_ready_.wait_until(lock, until);
  }
  return !(stopping_ && Clock::now() >= stop_deadline_);
}

std::chrono::milliseconds TelemetryClient::request_budget() {
  std::lock_guard lock(mutex_);
  auto budget = settings_.options.request_timeout;
  if (stopping_) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(stop_deadline_ - Clock::now());
    budget = std::min(budget, left);
  }
  return budget;
}

void TelemetryClient::record_outcome(BatchOutcome outcome, std::size_t events) {
  switch (outcome) {
    case BatchOutcome::kSent:
      counters_.sent += events;
      break;
    case BatchOutcome::kFailed:
      counters_.failed += events;
      break;
    case BatchOutcome::kAbandoned:
      counters_.dropped += events;
      break;
  }
  handled_ += events;
  in_flight_ -= events;
  progress_.notify_all();
}

}  // namespace agentsudo
