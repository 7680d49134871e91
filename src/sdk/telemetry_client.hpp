#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agentsudo/telemetry.hpp"
#include "sdk/delivery_spool.hpp"
#include "sdk/event_queue.hpp"
#include "sdk/event_record.hpp"

namespace agentsudo {

class HttpClient;
class GzipEncoder;
class RetryBackoff;

// Telemetry settings after defaults, environment and validation.
struct TelemetrySettings {
  std::string events_url;  // {endpoint}/api/events
  std::string api_key;
  CloudOptions options;

  // Resolves `options` against the environment; throws ConfigurationError.
  static TelemetrySettings resolve(CloudOptions options);
};

// Sends events to the server from max_in_flight sender threads. The deciding
// threads only number and enqueue each event (a short critical section, no
// I/O, rarely an allocation); a free sender takes the oldest batch of up to
// batch_size events as soon as one is full, or a partial one at once when it
// has just finished the last request in flight (the load is there), or when
// the oldest event has waited flush_interval (a trickle). It gives each event its id, serializes
// and gzips the batch, POSTs it over its own kept-alive connection, waits out a 429's Retry-After,
// and retries 5xx and network errors with jittered exponential backoff, resending the same body
// (same event ids) each time, before giving the batch up.
//
// With CloudOptions::spool_dir, a batch's body is written to a DeliverySpool
// before its first attempt; a batch out of retries stays there (counted as
// spooled, not failed) and is replayed, oldest first, once retry_max_delay
// has passed, by this client or the next one with the same directory.
//
// Thread-safe: every member may be called from any thread.
class TelemetryClient {
 public:
  explicit TelemetryClient(TelemetrySettings settings);
  // Stops at once, dropping what is queued; call shutdown() first to drain.
  ~TelemetryClient();
  TelemetryClient(const TelemetryClient&) = delete;
  TelemetryClient& operator=(const TelemetryClient&) = delete;

  // Numbers `event`, then queues it, or drops and counts it when the queue is
  // full or the client has shut down. Never blocks on I/O.
  void enqueue(EventRecord&& event) noexcept;

  // Waits until every event queued before the call was sent or given up on.
  // Returns false if the deadline came first.
  bool flush(std::chrono::steady_clock::time_point deadline);

  // Sends what it can until `deadline`, then stops the threads and drops the
  // rest. Idempotent.
  void shutdown(std::chrono::steady_clock::time_point deadline);

  TelemetryCounters counters() const;

  // The options in use, after environment and defaults.
  const CloudOptions& options() const noexcept { return settings_.options; }

  // The UUID this client sends as instance_id and AgentSudo-Instance.
  const std::string& instance_id() const noexcept { return instance_id_; }

 private:
  using Clock = std::chrono::steady_clock;
  // kRejected: a 4xx that no retry changes; kExhausted: out of retries.
  enum class BatchOutcome { kSent, kRejected, kExhausted, kAbandoned };
  enum class NextWork { kStop, kQueuedBatch, kSpoolReplay };

  // One sender thread's loop.
  void run_sender();
  // Blocks until this sender should take a batch or replay a spooled one;
  // `just_sent`: this sender finished a request right before. REQUIRES:
  // mutex_ held through `lock`.
  NextWork wait_for_batch(std::unique_lock<std::mutex>& lock, bool just_sent);
  // Replays the oldest spooled batch that is due, if another sender has not
  // taken it. Called without mutex_.
  void replay_spooled(HttpClient& http, RetryBackoff& backoff);
  // Spool bookkeeping after a first sending: ack or keep for replay.
  void settle_spooled(std::uint64_t spool_id, BatchOutcome outcome);
  // A sender's body buffers, reused from batch to batch.
  struct RequestBuffers {
    std::string json;
    std::string gzipped;
  };
  // The request body of `batch`: a JSON array, gzipped when `gzip` is given;
  // it lives in `buffers`.
  const std::string& encode_batch(const EventBatch& batch, RequestBuffers& buffers,
                                  GzipEncoder* gzip) const;
  // Sends one encoded batch, retrying as the class comment says.
  BatchOutcome deliver(HttpClient& http, RetryBackoff& backoff, const std::string& body, bool gzip);
  // The headers of an attempt: encoding, instance, drops so far.
  std::vector<std::string> request_headers(bool gzip);
  // Sleeps for `delay`, cut short by shutdown's deadline. Returns false if
  // the deadline passed and the batch must be abandoned.
  bool pause(std::chrono::milliseconds delay);
  // The time the next request may take, bounded by a shutdown's deadline.
  std::chrono::milliseconds request_budget();
  // `spooled`: the spool keeps the batch unless it was answered for good.
  // REQUIRES: mutex_ held.
  void record_outcome(BatchOutcome outcome, std::size_t events, bool spooled);

  const TelemetrySettings settings_;
  const std::string instance_id_;
  // Null without spool_dir, and after shutdown() (which closes it for the
  // next client on the directory). Only shutdown() resets it, after the senders end.
  std::unique_ptr<DeliverySpool> spool_;

  mutable std::mutex mutex_;
  // Wakes idle senders: a full batch, a first event, a flush, a shutdown.
  std::condition_variable work_ready_;
  // Wakes senders pausing before a retry: a shutdown.
  std::condition_variable stop_requested_;
  // Wakes flush() callers when batches complete.
  std::condition_variable progress_;
  EventQueue queue_;            // Guarded by mutex_.
  TelemetryCounters counters_;  // Guarded by mutex_ (except pending).
  // The last number given to an event.
  std::uint64_t last_sequence_ = 0;  // Guarded by mutex_.
  // Senders waiting in wait_for_batch(): enqueue wakes one only when some wait.
  int idle_senders_ = 0;  // Guarded by mutex_.
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
  std::vector<std::thread> senders_;
};

}  // namespace agentsudo
