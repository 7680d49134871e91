#pragma once

#include <boost/json/object.hpp>

#include "event_record.hpp"

namespace agentsudo {

// The agent name reported for decisions taken outside any session.
inline constexpr std::string_view kNoSessionAgentName = "(no session)";

// The event as the server's /api/events expects it: timestamp, agent_name,
// action, scope, allowed, function_name, metadata; absent fields left out;
// every string bounded and cleaned to the server's limits.
boost::json::object to_json(const EventRecord& event);

}  // namespace agentsudo
