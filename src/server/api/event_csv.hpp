#pragma once

#include <string>
#include <string_view>

#include "server/store/event_store.hpp"

namespace agentsudo::server::api {

// The export's header row, CRLF-terminated.
inline constexpr std::string_view kEventCsvHeader =
    "id,timestamp,received_at,agent_id,agent_name,action,scope,allowed,function_name,metadata\r\n";

// Appends `text` as one CSV cell: RFC 4180 quoting (a cell holding a comma,
// a quote, CR or LF is quoted, quotes doubled), and a cell that a
// spreadsheet would run as a formula (starting with = + - @) gets a leading
// `'` so it stays text.
void append_csv_cell(std::string_view text, std::string& out);

// Appends one event as a CSV row (CRLF-terminated), columns as the header.
void append_event_csv(const StoredEvent& event, std::string& out);

}  // namespace agentsudo::server::api
