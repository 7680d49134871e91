#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/model/clock.hpp"

namespace agentsudo::server::audit {

inline constexpr char kCanonicalEventVersion = 0x01;

// The fields of an event that its chain hash covers, as stored. Views: the
// caller keeps the strings alive while the event is encoded.
struct ChainedEvent {
  std::string_view project_id;  // the project's public uuid
  std::int64_t position = 0;    // 1 for the project's first chained event, then +1 each
  std::int64_t seq = 0;
  std::string_view event_id;
  std::string_view agent_id;
  std::string_view agent_name;
  std::string_view action;
  std::optional<std::string_view> scope;
  bool allowed = false;
  std::optional<std::string_view> function_name;
  std::string_view metadata_json;  // the text exactly as stored
  UnixMicros timestamp = 0;
  UnixMicros received_at = 0;
};

// Appends the event's canonical encoding (docs/AUDIT.md gives it byte by
// byte): a version byte, then every field in a fixed order, each a type tag
// and a length-prefixed or fixed-width value, so no two events encode alike.
void append_canonical_event(const ChainedEvent& event, std::string& out);

}  // namespace agentsudo::server::audit
