#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "agentsudo/telemetry.hpp"
#include "sdk/event_buffer.hpp"
#include "sdk/event_record.hpp"

namespace agentsudo {

class HttpClient;

// Telemetry settings after defaults, environment and validation.
struct TelemetrySettings {
  std::string events_url;  // {endpoint}/api/events
  std::string api_key;
  CloudOptions options;

  // Resolves `options` against the environment; throws ConfigurationError.
  static TelemetrySettings resolve(CloudOptions options);
};

// Sends events to the server in batches from its own thread. The deciding
// threads only enqueue (a short critical section, no I/O, no allocation);
// the thread takes the whole queue at once, serializes it in batches, POSTs
// them over a kept-alive connection, waits
// out a 429's Retry-After, and retries 5xx and network errors with jittered
// exponential backoff before giving a batch up.
//
// Thread-safe: every member may be called from any thread.
class TelemetryClient {
 public:
  explicit TelemetryClient(TelemetrySettings settings);
  // Stops at once, dropping what is queued; call shutdown() first to drain.
  ~TelemetryClient();
  TelemetryClient(const TelemetryClient&) = delete;
  TelemetryClient& operator=(const TelemetryClient&) = delete;

  // Queues `event`, or drops and counts it when the queue is full or the
  // client has shut down. Never blocks on I/O.
  void enqueue(EventRecord&& event) noexcept;

  // Waits until every event queued before the call was sent or given up on.
  // Returns false if the deadline came first.
  bool flush(std::chrono::steady_clock::time_point deadline);

  // Sends what it can until `deadline`, then stops the thread and drops the
  // rest. Idempotent.
  void shutdown(std::chrono::steady_clock::time_point deadline);

  TelemetryCounters counters() const;

  // The options in use, after environment and defaults.
  const CloudOptions& options() const noexcept { return settings_.options; }

 private:
  using Clock = std::chrono::steady_clock;
  enum class BatchOutcome { kSent, kFailed, kAbandoned };

  void run();
  // Sends `events` in batches of batch_size, recording each batch's outcome.
  void send_in_batches(HttpClient& http, std::span<const EventRecord> events);
  // Blocks until a batch should go out; returns false when the thread must
  // stop. REQUIRES: mutex_ held through `lock`.
  bool wait_for_batch(std::unique_lock<std::mutex>& lock);
  // Sends one serialized batch, retrying as the class comment says.
  BatchOutcome deliver(HttpClient& http, const std::string& body);
  // Sleeps for `delay`, cut short by shutdown's deadline. Returns false if
  // the deadline passed and the batch must be abandoned.
  bool pause(std::chrono::milliseconds delay);
  // The time the next request may take, bounded by a shutdown's deadline.
  std::chrono::milliseconds request_budget();
  void record_outcome(BatchOutcome outcome, std::size_t events);

  const TelemetrySettings settings_;

  mutable std::mutex mutex_;
  // Wakes the sending thread: a full batch, a flush, a shutdown.
  std::condition_variable work_ready_;
  // Wakes flush() callers when batches complete.
  std::condition_variable progress_;
  EventBuffer queue_;           // Guarded by mutex_.
  TelemetryCounters counters_;  // Guarded by mutex_ (except pending).
  // Events taken from the queue and not yet handled.
  std::size_t in_flight_ = 0;  // Guarded by mutex_.
  // Events sent, failed or abandoned after leaving the queue.
  std::uint64_t handled_ = 0;  // Guarded by mutex_.
  // flush() wants events up to this count handled without waiting for the interval.
  std::uint64_t flush_target_ = 0;   // Guarded by mutex_.
  bool stopping_ = false;            // Guarded by mutex_.
  bool stopped_ = false;             // Guarded by mutex_.
  Clock::time_point stop_deadline_;  // Guarded by mutex_.

  std::mutex join_mutex_;
  std::thread sender_;
};

}  // namespace agentsudo
