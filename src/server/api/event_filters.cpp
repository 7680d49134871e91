#include "server/api/event_filters.hpp"

#include <boost/url/parse.hpp>
#include <charconv>

#include "core/timestamp.hpp"
#include "server/api/events_handler.hpp"

namespace agentsudo::server::api {
namespace {

Error invalid_parameter(std::string name, std::string message) {
  return make_error(ErrorKind::kInvalidParameter, std::move(message), std::move(name));
}

Result<std::size_t> parse_limit(std::string_view text) {
  std::size_t limit = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (ec != std::errc() || end != text.data() + text.size() || limit < 1 ||
      limit > EventsHandler::kMaxLimit) {
    return invalid_parameter("limit", "limit must be a whole number from 1 to " +
                                          std::to_string(EventsHandler::kMaxLimit));
  }
  return limit;
}

Result<UnixMicros> parse_time(const std::string& name, std::string_view text) {
  auto parsed = parse_rfc3339(text);
  if (!parsed) {
    return invalid_parameter(name, name + " must be an RFC 3339 time such as 2026-01-15T10:30:00Z");
  }
  return *parsed;
}

// Applies a parameter that only some routes take; false when it is not one.
Result<bool> apply_route_parameter(const std::string& name, const std::string& value,
                                   FilterRoute route, EventFilters& filters) {
  if (route == FilterRoute::kList && name == "limit") {
    ASSIGN_OR_RETURN(filters.query.limit, parse_limit(value));
    return true;
  }
  if (route == FilterRoute::kList && name == "cursor") {
    filters.cursor = value;
    return true;
  }
  if (route == FilterRoute::kExport && name == "format") {
    if (value != "csv" && value != "ndjson")
      return invalid_parameter("format", "format must be csv or ndjson");
    filters.format = value;
    return true;
  }
  return false;
}

// Applies one query parameter, or says what is wrong with it.
Status apply_parameter(const std::string& name, const std::string& value, FilterRoute route,
                       EventFilters& filters) {
  ASSIGN_OR_RETURN(bool own, apply_route_parameter(name, value, route, filters));
  if (own)
    return {};
  EventQuery& q = filters.query;
  if (name == "agent_name") {
    q.agent_name = value;
  } else if (name == "scope") {
    q.scope = value;
  } else if (name == "action") {
    q.action = value;
  } else if (name == "function_name") {
    q.function_name = value;
  } else if (name == "allowed") {
    if (value != "true" && value != "false") {
      return invalid_parameter("allowed", "allowed must be true or false");
    }
    q.allowed = value == "true";
  } else if (name == "since" || name == "until") {
    auto& bound = name == "since" ? q.since : q.until;
    ASSIGN_OR_RETURN(bound, parse_time(name, value));
  } else {
    return invalid_parameter(name, "unknown query parameter " + name);
  }
  return {};
}

// The filters in a fixed order, each value length-prefixed: the same filters
// in any parameter order give the same text, and no value can pass for
// another filter.
std::string fingerprint_of(const EventQuery& q) {
  std::string text;
  auto add = [&text](std::string_view name, const std::optional<std::string>& value) {
    if (value)
      text += std::string(name) + ":" + std::to_string(value->size()) + ":" + *value + ";";
  };
  add("agent_name", q.agent_name);
  add("scope", q.scope);
  add("action", q.action);
  add("function_name", q.function_name);
  add("allowed",
      q.allowed ? std::optional(std::string(*q.allowed ? "true" : "false")) : std::nullopt);
  add("since", q.since ? std::optional(std::to_string(*q.since)) : std::nullopt);
  add("until", q.until ? std::optional(std::to_string(*q.until)) : std::nullopt);
  return text;
}

}  // namespace

Result<EventFilters> parse_event_filters(std::string_view target, FilterRoute route) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url)
    return invalid_parameter("", "the request target is not a valid URL");
  EventFilters filters;
  filters.query.limit = EventsHandler::kDefaultLimit;
  for (const auto& param : url->params()) {
    if (param.key.empty())
      continue;  // "?" alone, or "&&"
    RETURN_IF_ERROR(apply_parameter(param.key, param.value, route, filters));
  }
  filters.fingerprint = fingerprint_of(filters.query);
  return filters;
}

}  // namespace agentsudo::server::api
