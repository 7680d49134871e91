#include "sdk/telemetry_client.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <optional>
#include <system_error>

#include "agentsudo/errors.hpp"
#include "core/uuid.hpp"
#include "sdk/event_clock.hpp"
#include "sdk/event_json.hpp"
#include "sdk/gzip_encoder.hpp"
#include "sdk/http_client.hpp"
#include "sdk/retry_backoff.hpp"

namespace agentsudo {
namespace {

constexpr std::size_t kMaxBatchSize = 1000;  // The server's limit per request.
// More connections than this would only queue at the server's commit.
constexpr std::size_t kMaxInFlight = 16;
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
  if (options.max_queue != 0 && options.max_queue < options.batch_size) {
    throw ConfigurationError("configure_cloud: max_queue must be 0 or at least batch_size");
  }
  if (options.max_queue_bytes < sizeof(EventRecord)) {
    throw ConfigurationError("configure_cloud: max_queue_bytes cannot hold one event");
  }
  if (options.max_in_flight == 0 || options.max_in_flight > kMaxInFlight) {
    throw ConfigurationError("configure_cloud: max_in_flight must be 1 to 16");
  }
  if (options.flush_interval.count() <= 0 || options.request_timeout.count() <= 0 ||
      options.retry_base_delay.count() <= 0 || options.retry_max_delay < options.retry_base_delay ||
      options.max_retries < 0) {
    throw ConfigurationError("configure_cloud: intervals must be positive, retries non-negative");
  }
}

std::unique_ptr<DeliverySpool> open_spool(const CloudOptions& options) {
  if (options.spool_dir.empty())
    return nullptr;
  try {
    return std::make_unique<DeliverySpool>(options.spool_dir, options.spool_max_bytes);
  } catch (const std::exception& error) {
    throw ConfigurationError("configure_cloud: spool_dir unusable: " + std::string(error.what()));
  }
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
    : settings_(std::move(settings)),
      instance_id_(make_uuid_v7(EventClock::wall_time_now() / 1000)),
      spool_(open_spool(settings_.options)),
      queue_(settings_.options.batch_size, settings_.options.max_queue_bytes,
             settings_.options.max_queue) {
  // Blocking senders, one connection each, rather than libcurl's multi
  // interface: a batch's retries and backoff stay straight-line code, and
  // while some senders wait for the server's commit another serializes.
  for (std::size_t i = 0; i < settings_.options.max_in_flight; ++i)
    senders_.emplace_back([this] { run_sender(); });
}

TelemetryClient::~TelemetryClient() {
  shutdown(Clock::now());
}

void TelemetryClient::enqueue(EventRecord&& event) noexcept {
  std::size_t cost = EventQueue::cost_of(event);
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    // Numbered whether kept or not, so that a drop leaves a gap the server sees.
    event.sequence = ++last_sequence_;
    EventQueue::PushResult pushed = stopped_ || stopping_ ? EventQueue::PushResult::kRefused
                                                          : queue_.push(std::move(event), cost);
    if (pushed == EventQueue::PushResult::kRefused) {
      ++counters_.dropped;
      return;
    }
    ++counters_.queued;
    // Waking is a system call: only for a sender that waits, and only when a
    // batch is ready or a first event starts a trickle's clock.
    wake =
        idle_senders_ > 0 && (pushed == EventQueue::PushResult::kFilledBatch || queue_.size() == 1);
  }
  if (wake)
    work_ready_.notify_one();
}

bool TelemetryClient::flush(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  std::uint64_t target = counters_.queued;
  flush_target_ = std::max(flush_target_, target);
  work_ready_.notify_all();
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
  work_ready_.notify_all();
  stop_requested_.notify_all();
  for (std::thread& sender : senders_) {
    if (sender.joinable())
      sender.join();
  }
  std::lock_guard lock(mutex_);
  counters_.dropped += queue_.release();
  if (spool_) {
    // What is left stays on disk for the next client; the counters keep saying so.
    DeliverySpool::Holdings held = spool_->holdings();
    counters_.spooled_events = held.events;
    counters_.spooled_bytes = held.bytes;
    spool_.reset();
  }
  stopped_ = true;
  progress_.notify_all();
}

TelemetryCounters TelemetryClient::counters() const {
  std::lock_guard lock(mutex_);
  TelemetryCounters snapshot = counters_;
  snapshot.pending = queue_.size() + in_flight_;
  snapshot.pending_bytes = queue_.bytes();
  if (spool_) {
    DeliverySpool::Holdings held = spool_->holdings();
    snapshot.spooled_events = held.events;
    snapshot.spooled_bytes = held.bytes;
  }
  return snapshot;
}

void TelemetryClient::run_sender() {
  HttpClient http;  // One handle for the thread's life: its connection stays open.
  RetryBackoff backoff(settings_.options.retry_base_delay, settings_.options.retry_max_delay);
  std::optional<GzipEncoder> gzip;
  if (settings_.options.compress)
    gzip.emplace();
  // Kept across batches: fresh megabytes per request would cost page faults.
  RequestBuffers buffers;
  bool just_sent = false;
  std::unique_lock lock(mutex_);
  for (NextWork work; (work = wait_for_batch(lock, just_sent)) != NextWork::kStop;) {
    just_sent = true;
    if (work == NextWork::kSpoolReplay) {
      lock.unlock();
      replay_spooled(http, backoff);
      lock.lock();
      continue;
    }
    EventBatch batch = queue_.take_batch();
    in_flight_ += batch.count;
    lock.unlock();
    const std::string& body = encode_batch(batch, buffers, gzip ? &*gzip : nullptr);
    bool gzipped = &body == &buffers.gzipped;
    std::optional<std::uint64_t> spool_id;
    if (spool_)
      spool_id = spool_->append(body, gzipped, static_cast<std::uint32_t>(batch.count));
    BatchOutcome outcome = deliver(http, backoff, body, gzipped);
    EventClock::refresh();
    if (spool_id)
      settle_spooled(*spool_id, outcome);
    batch.events.clear();  // Releases sessions and sites outside the lock.
    std::size_t count = batch.count;
    lock.lock();
    if (spool_ && !spool_id)
      counters_.spool_skipped += count;
    queue_.give_back(std::move(batch));
    record_outcome(outcome, count, spool_id.has_value());
  }
}

void TelemetryClient::replay_spooled(HttpClient& http, RetryBackoff& backoff) {
  std::optional<DeliverySpool::Batch> batch = spool_->take_replay(Clock::now());
  if (!batch)
    return;  // Another sender took it.
  BatchOutcome outcome = deliver(http, backoff, batch->body, batch->gzip);
  settle_spooled(batch->id, outcome);
  std::lock_guard lock(mutex_);
  if (outcome == BatchOutcome::kSent) {
    counters_.sent += batch->events;
    counters_.spool_replayed += batch->events;
  } else if (outcome == BatchOutcome::kRejected) {
    counters_.failed += batch->events;
  }
}

void TelemetryClient::settle_spooled(std::uint64_t spool_id, BatchOutcome outcome) {
  if (outcome == BatchOutcome::kSent || outcome == BatchOutcome::kRejected)
    spool_->acknowledge(spool_id);
  else
    spool_->release(spool_id, Clock::now() + settings_.options.retry_max_delay);
}

TelemetryClient::NextWork TelemetryClient::wait_for_batch(std::unique_lock<std::mutex>& lock,
                                                          bool just_sent) {
  const auto linger = settings_.options.flush_interval;
  while (true) {
    // What the spool holds outlives the client: a stopping one leaves it for the next.
    if (stopping_ && (queue_.empty() || Clock::now() >= stop_deadline_))
      return NextWork::kStop;
    auto wait = linger;
    if (auto due = spool_ && !stopping_ ? spool_->next_replay() : std::nullopt) {
      if (*due <= Clock::now())
        return NextWork::kSpoolReplay;
      wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(*due - Clock::now()));
    }
    if (!queue_.empty()) {
      bool flushing = flush_target_ > handled_;
      // A partial batch leaves at once when this sender just finished the
      // last request in flight: the load is there, and one partial request at
      // a time keeps a moderate rate from turning into many tiny ones.
      bool pipeline_idle = just_sent && in_flight_ == 0;
      if (queue_.has_full_batch() || pipeline_idle || flushing || stopping_)
        return NextWork::kQueuedBatch;
      auto waited =
          std::chrono::microseconds(EventClock::wall_time_now() - queue_.oldest_timestamp());
      if (waited >= linger)
        return NextWork::kQueuedBatch;
      // An event stamped ahead of the clock waits one interval, no more.
      wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(linger - waited));
    }
    ++idle_senders_;
    work_ready_.wait_for(lock, wait);
    --idle_senders_;
    just_sent = false;  // Woken by a first event: that is a trickle until the batch fills.
  }
}

const std::string& TelemetryClient::encode_batch(const EventBatch& batch, RequestBuffers& buffers,
                                                 GzipEncoder* gzip) const {
  // About the size of a permission check's event, so most batches fit at once.
  constexpr std::size_t kTypicalEventBytes = 360;
  std::string& json = buffers.json;
  json.clear();
  json.reserve(batch.events.size() * kTypicalEventBytes + 2);
  json.push_back('[');
  // One writer per batch: its cache compares sessions by address, which only
  // the batch's own references keep from being reused.
  EventBatchWriter writer;
  for (const EventRecord& event : batch.events) {
    if (json.size() > 1)
      json.push_back(',');
    // Minted once, before the first attempt: every retry resends this body,
    // so the server sees the same id and stores the event once.
    std::string event_id = make_uuid_v7(event.timestamp / 1000);
    writer.append(
        json, event,
        EventIdentity{
            .event_id = event_id, .instance_id = instance_id_, .sequence = event.sequence});
  }
  json.push_back(']');
  if (gzip == nullptr)
    return json;
  try {
    gzip->encode(json, buffers.gzipped);
  } catch (const std::exception&) {
    return json;  // Sent plain: the encoding header follows the body.
  }
  return buffers.gzipped;
}

TelemetryClient::BatchOutcome TelemetryClient::deliver(HttpClient& http, RetryBackoff& backoff,
                                                       const std::string& body, bool gzip) {
  int failures = 0;
  while (true) {
    auto budget = request_budget();
    if (budget.count() <= 0)
      return BatchOutcome::kAbandoned;
    HttpResponse response = http.post_json(settings_.events_url, body, settings_.api_key, budget,
                                           request_headers(gzip));
    if (response.status == 200)
      return BatchOutcome::kSent;
    std::chrono::milliseconds wait;
    if (response.status == 429) {
      // Quota spent: the server says when it resets; that wait is not a failure.
      wait = response.retry_after ? std::chrono::milliseconds(*response.retry_after)
                                  : backoff.delay(failures);
    } else if (!is_retryable(response)) {
      return BatchOutcome::kRejected;  // Refused as invalid: resending changes nothing.
    } else if (failures < settings_.options.max_retries) {
      wait = backoff.delay(failures++);
    } else {
      return BatchOutcome::kExhausted;
    }
    if (!pause(wait))
      return BatchOutcome::kAbandoned;
    std::lock_guard lock(mutex_);
    ++counters_.retried;
  }
}

std::vector<std::string> TelemetryClient::request_headers(bool gzip) {
  std::uint64_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    dropped = counters_.dropped;
  }
  std::vector<std::string> headers{"AgentSudo-Instance: " + instance_id_,
                                   "AgentSudo-Dropped: " + std::to_string(dropped)};
  if (gzip)
    headers.emplace_back("Content-Encoding: gzip");
  return headers;
}

bool TelemetryClient::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  auto wake_at = Clock::now() + delay;
  while (true) {
    auto until = stopping_ ? std::min(wake_at, stop_deadline_) : wake_at;
    if (Clock::now() >= until)
      break;
    stop_requested_.wait_until(lock, until);
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

void TelemetryClient::record_outcome(BatchOutcome outcome, std::size_t events, bool spooled) {
  switch (outcome) {
    case BatchOutcome::kSent:
      counters_.sent += events;
      break;
    case BatchOutcome::kRejected:
      counters_.failed += events;
      break;
    case BatchOutcome::kExhausted:
      if (!spooled)  // Else the spool holds them: counted in spooled_events.
        counters_.failed += events;
      break;
    case BatchOutcome::kAbandoned:
      if (!spooled)
        counters_.dropped += events;
      break;
  }
  handled_ += events;
  in_flight_ -= events;
  progress_.notify_all();
}

}  // namespace agentsudo
