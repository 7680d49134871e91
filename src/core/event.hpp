#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/timestamp.hpp"

namespace agentsudo {

// One permission decision as a client reports it, already validated.
struct Event {
  std::string agent_name;
  std::string action;
  std::optional<std::string> scope;
  bool allowed = false;
  std::optional<std::string> function_name;
  // The metadata object as compact JSON text; "{}" when the client sent none.
  std::string metadata_json = "{}";
  // The time of the decision, when the client sent one.
  std::optional<UnixMicros> timestamp;
  // metadata.session_id when the client sent a short string there (our SDK
  // always does): what analytics counts as one session.
  std::optional<std::string> session_id;
  // event_id: the client's id for the event (a canonical UUID). It becomes
  // the stored event's id, and a second event with it in the same project is
  // a duplicate, acknowledged but not stored again.
  std::optional<std::string> id;
  // instance_id and sequence, always both or neither: the SDK process that
  // decided the event and its number there, so a missing number is a gap.
  std::optional<std::string> instance_id;
  std::optional<std::int64_t> sequence;
};

// Limits on what one event may hold. Every client-supplied string is bounded
// so a row, a log line and a dashboard cell stay small; docs/API.md lists them.
struct EventLimits {
  static constexpr std::size_t kMaxAgentName = 200;
  static constexpr std::size_t kMaxAction = 64;
  static constexpr std::size_t kMaxScope = 256;
  static constexpr std::size_t kMaxFunctionName = 256;
  static constexpr std::size_t kMaxMetadataBytes = 16 * 1024;
  static constexpr std::size_t kMaxMetadataDepth = 8;
  // A longer metadata.session_id is kept in the metadata but not counted.
  static constexpr std::size_t kMaxSessionId = 128;
  // sequence counts from 1 and stays exact in a JSON number (a double).
  static constexpr std::int64_t kMaxSequence = std::int64_t{1} << 53;
};

}  // namespace agentsudo
