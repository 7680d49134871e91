#pragma once

#include <string>

#include "event_record.hpp"

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

}  // namespace agentsudo
