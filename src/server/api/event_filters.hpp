#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/model/error.hpp"
#include "server/store/event_store.hpp"

namespace agentsudo::server::api {

// Which query parameters a route takes besides the filters.
enum class FilterRoute {
  kList,    // the read API: cursor and limit
  kExport,  // the export: format
};

// The filters of the read API and the export, as the client sent them.
struct EventFilters {
  EventQuery query;  // project_rowid and before_seq left for the caller
  std::optional<std::string> cursor;
  std::optional<std::string> format;
  // The filters in a canonical text, what a cursor is bound to.
  std::string fingerprint;
};

// Parses the request target's query: agent_name, scope, action,
// function_name (exact), allowed (true|false), since/until (RFC 3339), plus
// the route's own parameters. kInvalidParameter names the one at fault.
Result<EventFilters> parse_event_filters(std::string_view target, FilterRoute route);

}  // namespace agentsudo::server::api
