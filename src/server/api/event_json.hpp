#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "server/model/error.hpp"
#include "server/store/event_store.hpp"

namespace agentsudo::server::api {

// Validates one event object against the limits of docs/API.md. Members not
// in the contract are ignored. Errors name the field at fault.
Result<Event> decode_event(const boost::json::value& value);

// Validates a batch (a JSON array of events); errors carry the item's index.
Result<std::vector<Event>> decode_event_batch(const boost::json::value& value,
                                              std::size_t max_events);

// Appends the public JSON of a stored event to `out`. Metadata is copied as
// the stored JSON text, so no event is parsed again on the way out.
void append_event_json(const StoredEvent& event, std::string_view project_id, std::string& out);

// Appends `text` as a JSON string literal.
void append_json_string(std::string_view text, std::string& out);

}  // namespace agentsudo::server::api
