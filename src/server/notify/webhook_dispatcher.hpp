#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "server/model/approval.hpp"
#include "server/model/clock.hpp"
#include "server/model/error.hpp"
#include "server/notify/webhook_transport.hpp"
#include "server/store/webhook_store.hpp"

namespace agentsudo::server {

// Sends approval notifications to a project's webhooks. notify() only
// queues the approval in memory and wakes the worker thread, so the caller
// (a request or a decision on its committing thread) never waits for the
// disk or the network; the worker writes one delivery per webhook to the
// store's outbox, then POSTs every due delivery, signed, and records each
// attempt; a failed one is tried again on the RetrySchedule. On start()
// it resumes what the outbox still holds, so deliveries survive a restart.
// Thread-safe.
class WebhookDispatcher {
 public:
  // At most this many POSTs in flight at once.
  static constexpr std::size_t kMaxInFlight = 16;

  WebhookDispatcher(WebhookStore& store, const Clock& clock);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Starts the worker. `public_url` is how people reach the dashboard,
  // without a trailing slash: links in notifications start with it.
  void start(std::string public_url);
  // Writes what is still queued to the outbox, drops the POSTs in flight
  // (they stay due, for the next start) and joins the worker.
  void stop();

  // Announces the approval's current status (approval.requested for a
  // pending one, approval.granted, .denied or .expired) to every webhook of
  // its project. Never blocks on I/O.
  void notify(const Approval& approval);

  // Queues a "ping" to one webhook of the project and returns the
  // delivery's id; kNotFound for an unknown webhook or one of another project.
  Result<std::string> ping(std::int64_t project_rowid, std::string_view project_id,
                           std::string_view webhook_id);

 private:
  void run();
  // Moves the queued approvals to the outbox; returns whether stop() was asked.
  bool write_queued();
  void start_due(UnixMicros now);
  void finish(const WebhookOutcome& outcome);
  std::chrono::milliseconds idle_wait(UnixMicros now);

  WebhookStore& store_;
  const Clock& clock_;
  std::string public_url_;      // set before the worker starts, then only read by it
  WebhookTransport transport_;  // the worker's; wake() from anywhere

  std::mutex mutex_;
  std::deque<Approval> queued_;  // guarded by mutex_
  bool stopping_ = false;        // guarded by mutex_
  // The worker's own: deliveries in flight, with the attempts made before this one.
  std::unordered_map<std::string, std::int64_t> in_flight_;
  std::thread worker_;
};

}  // namespace agentsudo::server
