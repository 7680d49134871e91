#include "sdk/event_dispatcher.hpp"

#include <ostream>

#include "sdk/event_json.hpp"
#include "sdk/telemetry_client.hpp"

namespace agentsudo {

EventDispatcher& EventDispatcher::instance() noexcept {
  // Deliberately never destroyed; see the class comment.
  static EventDispatcher* dispatcher = new EventDispatcher();
  return *dispatcher;
}

void EventDispatcher::dispatch(EventRecord&& event) noexcept {
  if (json_log_on_.load(std::memory_order_acquire))
    write_json_log(event);
  if (TelemetryClient* client = telemetry_.load(std::memory_order_acquire)) {
    client->enqueue(std::move(event));
  }
}

void EventDispatcher::set_telemetry(TelemetryClient* client) noexcept {
  telemetry_.store(client, std::memory_order_release);
}

void EventDispatcher::set_json_log(LogLineWriter writer) {
  std::lock_guard lock(json_log_mutex_);
  json_log_ = std::move(writer);
  json_log_on_.store(static_cast<bool>(json_log_), std::memory_order_release);
}

void EventDispatcher::write_json_log(const EventRecord& event) noexcept {
  try {
    std::string line = to_json_text(event);
    std::lock_guard lock(json_log_mutex_);
    if (json_log_)
      json_log_(line);
  } catch (...) {
    // A failing log writer must not turn into a failing guarded call.
  }
}

void enable_json_log(LogLineWriter write) {
  EventDispatcher::instance().set_json_log(std::move(write));
}

void enable_json_log(std::ostream& out) {
  enable_json_log([&out](std::string_view line) { out << line << '\n' << std::flush; });
}

void disable_json_log() {
  EventDispatcher::instance().set_json_log({});
}

}  // namespace agentsudo
