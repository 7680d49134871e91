#pragma once

#include <agentsudo/event_log.hpp>
#include <boost/json.hpp>
#include <mutex>
#include <vector>

namespace agentsudo::testing {

// Collects the events the SDK emits, through the JSON log, for the lifetime
// of the object. Thread-safe.
class EventCapture {
 public:
  EventCapture() {
    enable_json_log([this](std::string_view line) {
      std::lock_guard lock(mutex_);
      events_.push_back(boost::json::parse(line).as_object());
    });
  }
  ~EventCapture() { disable_json_log(); }
  EventCapture(const EventCapture&) = delete;
  EventCapture& operator=(const EventCapture&) = delete;

  std::vector<boost::json::object> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

  // The only event captured; fails the test if there is not exactly one.
  boost::json::object single() const {
    auto all = events();
    if (all.size() != 1) {
      ADD_FAILURE() << "expected one event, got " << all.size();
      return {};
    }
    return all.front();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<boost::json::object> events_;
};

}  // namespace agentsudo::testing
