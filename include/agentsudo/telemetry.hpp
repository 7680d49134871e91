#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace agentsudo {

// Where and how decisions are sent to an AgentSudo server.
struct CloudOptions {
  // The project's ingest key (as_...). Empty: the AGENTSUDO_API_KEY variable.
  std::string api_key;
  // The server's base URL. Empty: the AGENTSUDO_ENDPOINT variable, else
  // http://127.0.0.1:8080 (a local `make run`).
  std::string endpoint;
  // Events per request at most (1 to 1000, the server's limit). The sender
  // sends what is waiting as soon as a connection is free, up to this many.
  std::size_t batch_size = 1000;
  // The longest a trickle of events waits to fill a batch while no request
  // has just finished; under load, batches leave as soon as a connection is
  // free.
  std::chrono::milliseconds flush_interval{1000};
  // Estimated memory the events waiting or in flight may hold (each event's
  // record plus its own strings). A new event that does not fit is dropped
  // and counted, never waited for. The default holds a burst of 100,000
  // decisions.
  std::size_t max_queue_bytes = 64 * 1024 * 1024;
  // Events waiting or in flight at most, besides max_queue_bytes; 0 means no
  // limit on the count. When set, at least batch_size.
  std::size_t max_queue = 0;
  // Requests in flight at once (1 to 16), each from its own sender thread on
  // its own kept-alive connection.
  std::size_t max_in_flight = 4;
  // Sends request bodies gzip-compressed (Content-Encoding: gzip).
  bool compress = true;
  // Attempts after the first for a batch that met a network error or a 5xx.
  int max_retries = 5;
  // Backoff before retry n is about retry_base_delay * 2^n, capped, with jitter.
  std::chrono::milliseconds retry_base_delay{250};
  std::chrono::milliseconds retry_max_delay{30000};
  // Limit on one HTTP request, connection included.
  std::chrono::milliseconds request_timeout{10000};
  // How long process exit may wait for queued events to be sent.
  std::chrono::milliseconds exit_flush_timeout{2000};
  // A directory for the spool: each request body is written there (synced)
  // before it is first sent and kept until the server answers it, so an
  // outage or a restart loses nothing; a later client with the same
  // directory replays what is left. Empty: no spool.
  std::string spool_dir;
  // Disk the spool may use; a batch that does not fit is sent unprotected.
  std::uint64_t spool_max_bytes = std::uint64_t{1} << 30;
};

// What the telemetry client has done since configure_cloud().
struct TelemetryCounters {
  std::uint64_t queued = 0;       // Events accepted into the queue.
  std::uint64_t sent = 0;         // Events the server stored (HTTP 200).
  std::uint64_t dropped = 0;      // Events refused by a full queue or abandoned at shutdown.
  std::uint64_t retried = 0;      // Requests repeated after a 429, a 5xx or a network error.
  std::uint64_t failed = 0;       // Events in batches given up on.
  std::size_t pending = 0;        // Events waiting in the queue or in flight now.
  std::size_t pending_bytes = 0;  // Their estimated memory, as max_queue_bytes counts it.
  // With CloudOptions::spool_dir: events the spool holds unacknowledged now,
  // and its segment files' size on disk.
  std::uint64_t spooled_events = 0;
  std::uint64_t spooled_bytes = 0;
  // Events the server stored from a replay of the spool (counted in `sent`
  // too), and events sent unprotected because the spool was full or failing.
  std::uint64_t spool_replayed = 0;
  std::uint64_t spool_skipped = 0;
};

// Starts sending every decision to the server on a background thread,
// replacing (after flushing it briefly) any previous configuration. Guarded
// calls never wait on the network and never see its errors. Throws
// ConfigurationError without an API key or for out-of-range options.
// Thread-safe.
void configure_cloud(CloudOptions options = {});

// Waits until every event queued before the call has been sent or given up
// on, or the deadline passes. Returns true if everything was handled in time.
// Returns true at once when telemetry is not configured. Thread-safe.
bool flush_telemetry(std::chrono::steady_clock::time_point deadline);
bool flush_telemetry(std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Flushes until the deadline, then stops the background thread; what is still
// queued is dropped. Later events are dropped and counted. Also runs at
// process exit with CloudOptions::exit_flush_timeout. Thread-safe.
void shutdown_telemetry(std::chrono::milliseconds timeout = std::chrono::seconds(5));

// A snapshot of the counters; all zero when telemetry is not configured.
// Thread-safe.
TelemetryCounters telemetry_counters();

}  // namespace agentsudo
