#include "server/api/event_json.hpp"

#include <boost/json.hpp>
#include <cmath>

#include "core/text.hpp"
#include "core/uuid.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

Error invalid(std::string field, std::string message) {
  return make_error(ErrorKind::kInvalidPayload, std::move(message), std::move(field));
}

bool is_action_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ':' || c == '-';
}

// Checks a string member; returns nullopt-valued success when absent or null.
Result<std::optional<std::string>> read_string(const json::object& object, std::string field,
                                               bool required, std::size_t max_bytes) {
  const json::value* value = object.if_contains(field);
  if (value == nullptr || value->is_null()) {
    if (required)
      return invalid(field, field + " is required");
    return std::optional<std::string>();
  }
  if (!value->is_string())
    return invalid(field, field + " must be a string");
  std::string_view text = value->get_string();
  if (required && text.empty())
    return invalid(field, field + " must not be empty");
  if (text.size() > max_bytes) {
    return invalid(field, field + " must be at most " + std::to_string(max_bytes) + " bytes long");
  }
  if (contains_control_characters(text)) {
    return invalid(field, field + " must not contain control characters");
  }
  return std::optional<std::string>(std::string(text));
}

std::size_t nesting_depth(const json::value& value) {
  std::size_t deepest_child = 0;
  if (value.is_object()) {
    for (const auto& member : value.get_object()) {
      deepest_child = std::max(deepest_child, nesting_depth(member.value()));
    }
  } else if (value.is_array()) {
    for (const auto& item : value.get_array()) {
      deepest_child = std::max(deepest_child, nesting_depth(item));
    }
  } else {
    return 0;
  }
  return deepest_child + 1;
}

// A number beyond a double's range parses as infinity, which no JSON answer
// could carry back (the read API, export and live feed would emit
// `Infinity`), so it is refused where it arrives.
bool has_non_finite_number(const json::value& value) {
  if (value.is_double())
    return !std::isfinite(value.get_double());
  if (value.is_object()) {
    for (const auto& member : value.get_object()) {
      if (has_non_finite_number(member.value()))
        return true;
    }
  }
  if (value.is_array()) {
    for (const auto& item : value.get_array()) {
      if (has_non_finite_number(item))
        return true;
    }
  }
  return false;
}

Result<std::string> read_metadata(const json::object& object) {
  const json::value* value = object.if_contains("metadata");
  if (value == nullptr || value->is_null())
    return std::string("{}");
  if (!value->is_object())
    return invalid("metadata", "metadata must be a JSON object");
  if (nesting_depth(*value) > EventLimits::kMaxMetadataDepth) {
    return invalid("metadata", "metadata must not nest deeper than " +
                                   std::to_string(EventLimits::kMaxMetadataDepth) + " levels");
  }
  if (has_non_finite_number(*value))
    return invalid("metadata", "metadata numbers must fit a double (1e308 or so)");
  std::string text = json::serialize(*value);
  if (text.size() > EventLimits::kMaxMetadataBytes) {
    return invalid("metadata", "metadata must be at most " +
                                   std::to_string(EventLimits::kMaxMetadataBytes) +
                                   " bytes as JSON");
  }
  return text;
}

// The metadata's session id, read from the already parsed object so the
// commit writer never parses metadata again.
std::optional<std::string> read_session_id(const json::object& object) {
  const json::value* metadata = object.if_contains("metadata");
  if (metadata == nullptr || !metadata->is_object())
    return std::nullopt;
  const json::value* id = metadata->get_object().if_contains("session_id");
  if (id == nullptr || !id->is_string() || id->get_string().empty() ||
      id->get_string().size() > EventLimits::kMaxSessionId) {
    return std::nullopt;
  }
  return std::string(id->get_string());
}

Result<std::optional<UnixMicros>> read_timestamp(const json::object& object) {
  const json::value* value = object.if_contains("timestamp");
  if (value == nullptr || value->is_null())
    return std::optional<UnixMicros>();
  auto invalid_timestamp = invalid(
      "timestamp", "timestamp must be an RFC 3339 date-time such as 2026-01-15T10:30:00.123456Z");
  if (!value->is_string())
    return invalid_timestamp;
  auto parsed = parse_rfc3339(value->get_string());
  if (!parsed)
    return invalid_timestamp;
  return std::optional<UnixMicros>(*parsed);
}

Status check_action(const std::string& action) {
  for (char c : action) {
    if (!is_action_character(c)) {
      return invalid("action", "action must use only letters, digits and _ . : -");
    }
  }
  return {};
}

Result<std::optional<std::string>> read_uuid(const json::object& object, std::string field) {
  const json::value* value = object.if_contains(field);
  if (value == nullptr || value->is_null())
    return std::optional<std::string>();
  if (!value->is_string() || !is_canonical_uuid(value->get_string())) {
    return invalid(field, field +
                              " must be a UUID in lower-case 8-4-4-4-12 hex form, such as "
                              "0190f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f");
  }
  return std::optional<std::string>(std::string(value->get_string()));
}

Result<std::optional<std::int64_t>> read_sequence(const json::object& object) {
  const json::value* value = object.if_contains("sequence");
  if (value == nullptr || value->is_null())
    return std::optional<std::int64_t>();
  if (!value->is_int64() || value->get_int64() < 1 ||
      value->get_int64() > EventLimits::kMaxSequence) {
    return invalid("sequence", "sequence must be an integer from 1 to 2^53");
  }
  return std::optional<std::int64_t>(value->get_int64());
}

// event_id, and instance_id with sequence (both or neither).
Status read_delivery_members(const json::object& object, Event& event) {
  ASSIGN_OR_RETURN(event.id, read_uuid(object, "event_id"));
  ASSIGN_OR_RETURN(event.instance_id, read_uuid(object, "instance_id"));
  ASSIGN_OR_RETURN(event.sequence, read_sequence(object));
  if (event.instance_id && !event.sequence)
    return invalid("sequence", "sequence is required with instance_id");
  if (event.sequence && !event.instance_id)
    return invalid("instance_id", "instance_id is required with sequence");
  return {};
}

}  // namespace

Result<Event> decode_event(const json::value& value) {
  if (!value.is_object())
    return invalid("", "an event must be a JSON object");
  const json::object& object = value.get_object();
  Event event;

  // Not through ASSIGN_OR_RETURN: moving the optional out of the Result makes
  // GCC 12 warn (falsely) that the string may be used uninitialized.
  auto agent_name = read_string(object, "agent_name", true, EventLimits::kMaxAgentName);
  if (!agent_name)
    return agent_name.take_error();
  event.agent_name = std::move(**agent_name);

  auto action = read_string(object, "action", true, EventLimits::kMaxAction);
  if (!action)
    return action.take_error();
  event.action = std::move(**action);
  RETURN_IF_ERROR(check_action(event.action));

  ASSIGN_OR_RETURN(event.scope, read_string(object, "scope", false, EventLimits::kMaxScope));

  const json::value* allowed = object.if_contains("allowed");
  if (allowed == nullptr || allowed->is_null())
    return invalid("allowed", "allowed is required");
  if (!allowed->is_bool())
    return invalid("allowed", "allowed must be true or false");
  event.allowed = allowed->get_bool();

  ASSIGN_OR_RETURN(event.function_name,
                   read_string(object, "function_name", false, EventLimits::kMaxFunctionName));
  ASSIGN_OR_RETURN(event.metadata_json, read_metadata(object));
  event.session_id = read_session_id(object);
  ASSIGN_OR_RETURN(event.timestamp, read_timestamp(object));
  RETURN_IF_ERROR(read_delivery_members(object, event));
  return event;
}

Result<std::vector<Event>> decode_event_batch(const json::value& value, std::size_t max_events) {
  if (!value.is_array()) {
    return invalid("", "the body must be a JSON array of events");
  }
  const json::array& items = value.get_array();
  if (items.size() > max_events) {
    return make_error(ErrorKind::kPayloadTooLarge,
                      "a batch may hold at most " + std::to_string(max_events) + " events, got " +
                          std::to_string(items.size()));
  }
  std::vector<Event> events;
  events.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto event = decode_event(items[i]);
    if (!event) {
      Error error = event.take_error();
      error.message = "event " + std::to_string(i) + ": " + error.message;
      error.index = i;
      return error;
    }
    events.push_back(std::move(*event));
  }
  return events;
}

void append_json_string(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out += "\\u00";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

namespace {

void append_member(std::string_view name, std::string& out) {
  out.push_back(',');
  append_json_string(name, out);
  out.push_back(':');
}

void append_optional_string(const std::optional<std::string>& value, std::string& out) {
  if (value) {
    append_json_string(*value, out);
  } else {
    out += "null";
  }
}

}  // namespace

void append_event_json(const StoredEvent& event, std::string_view project_id, std::string& out) {
  out += "{\"id\":";
  append_json_string(event.id, out);
  append_member("project_id", out);
  append_json_string(project_id, out);
  append_member("agent_id", out);
  append_json_string(event.agent_id, out);
  append_member("agent_name", out);
  append_json_string(event.agent_name, out);
  append_member("action", out);
  append_json_string(event.action, out);
  append_member("scope", out);
  append_optional_string(event.scope, out);
  append_member("allowed", out);
  out += event.allowed ? "true" : "false";
  append_member("function_name", out);
  append_optional_string(event.function_name, out);
  append_member("metadata", out);
  out += event.metadata_json;
  append_member("timestamp", out);
  append_json_string(format_rfc3339(event.timestamp), out);
  append_member("received_at", out);
  append_json_string(format_rfc3339(event.received_at), out);
  out.push_back('}');
}

}  // namespace agentsudo::server::api
