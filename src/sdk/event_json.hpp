#pragma once

#include <string>

#include "sdk/event_record.hpp"

namespace agentsudo {

// The agent name reported for decisions taken outside any session.
inline constexpr std::string_view kNoSessionAgentName = "(no session)";

// The event as the server's /api/events expects it: timestamp, agent_name,
// action, scope, allowed, function_name, metadata; absent fields left out;
// every string bounded and cleaned to the server's limits.
// Written straight into `out`, without an intermediate document: this runs
// for every event on the telemetry thread.
void append_json(std::string& out, const EventRecord& event);
std::string to_json_text(const EventRecord& event);

// Appends a batch's events, as append_json() does, for the telemetry thread.
// Consecutive events of one session at one guard site differ only in their
// time, so the rest of their JSON is written once and copied. Besides saving
// the work, this keeps the sender from reading the session and the site for
// every event: the deciding thread writes their reference counts, and each
// read would pull those cache lines across cores.
class EventBatchWriter {
 public:
  void append(std::string& out, const EventRecord& event);

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
  std::string tail_;  // Everything after the timestamp member.
};

}  // namespace agentsudo
