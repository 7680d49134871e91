#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sdk/event_record.hpp"

namespace agentsudo {

// The agent name reported for decisions taken outside any session.
inline constexpr std::string_view kNoSessionAgentName = "(no session)";

// What makes a sent event identifiable to the server: its id (kept across
// retries, so the server stores it once), the sending client's instance id
// and the event's number within that instance.
struct EventIdentity {
  std::string_view event_id;     // A canonical UUID.
  std::string_view instance_id;  // A canonical UUID.
  std::uint64_t sequence = 0;    // From 1.
};

// The event as the server's /api/events expects it: event_id, instance_id
// and sequence when `identity` is given, then timestamp, agent_name, action,
// scope, allowed, function_name, metadata; absent fields left out; every
// string bounded and cleaned to the server's limits.
// Written straight into `out`, without an intermediate document: this runs
// for every event on the telemetry thread.
void append_json(std::string& out, const EventRecord& event,
                 const EventIdentity* identity = nullptr);
std::string to_json_text(const EventRecord& event);

// Appends a batch's events, as append_json() does, for the telemetry thread.
// Consecutive events of one session at one guard site differ only in their
// time, so the rest of their JSON is written once and copied. Besides saving
// the work, this keeps the sender from reading the session and the site for
// every event: the deciding thread writes their reference counts, and each
// read would pull those cache lines across cores.
class EventBatchWriter {
 public:
  void append(std::string& out, const EventRecord& event, const EventIdentity& identity);

 private:
  bool same_as_cached(const EventRecord& event) const;

  // policy_version_ of an event without a policy stamp (a local agent's).
  static constexpr std::int64_t kNoPolicyStamp = -2;

  bool cached_ = false;
  const void* session_ = nullptr;
  const void* site_ = nullptr;
  EventAction action_ = EventAction::kPermissionCheck;
  bool allowed_ = false;
  DenialReason reason_ = DenialReason::kNone;
  std::int64_t policy_version_ = kNoPolicyStamp;
  std::string check_scope_;
  std::string tail_;  // Everything after the timestamp member, from its comma.
};

}  // namespace agentsudo
