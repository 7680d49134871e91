#pragma once

#include <atomic>
#include <mutex>

#include "agentsudo/event_log.hpp"
#include "sdk/event_record.hpp"

namespace agentsudo {

class TelemetryClient;

// Routes each decision to the sinks that are on: the JSON log line (written
// here, on the deciding thread) and the telemetry client (queued for its
// thread).
//
// Thread-safe. The one instance lives until the process ends and is never
// destroyed, so decisions taken during static destruction still find it.
class EventDispatcher {
 public:
  static EventDispatcher& instance() noexcept;

  // True if some sink is on: lets the caller skip building a record.
  bool wants_events() const noexcept {
    return telemetry_.load(std::memory_order_acquire) != nullptr ||
           json_log_on_.load(std::memory_order_acquire);
  }

  // Hands the event to every sink. Never throws and never blocks on I/O
  // other than a JSON log writer's.
  void dispatch(EventRecord&& event) noexcept;

  // Makes `client` (or nobody, for null) the telemetry sink. A client once
  // installed must stay allocated until the process ends: another thread may
  // still be handing it an event.
  void set_telemetry(TelemetryClient* client) noexcept;
  TelemetryClient* telemetry() const noexcept { return telemetry_.load(std::memory_order_acquire); }

  // Sets or (with an empty writer) clears the JSON log.
  void set_json_log(LogLineWriter writer);

 private:
  EventDispatcher() = default;
  void write_json_log(const EventRecord& event) noexcept;

  std::atomic<TelemetryClient*> telemetry_{nullptr};
  std::atomic<bool> json_log_on_{false};
  std::mutex json_log_mutex_;
  LogLineWriter json_log_;  // Guarded by json_log_mutex_.
};

}  // namespace agentsudo
