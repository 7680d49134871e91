#pragma once

#include <functional>
#include <iosfwd>
#include <string_view>

namespace agentsudo {

// Receives one structured log line (a JSON object, no newline) per decision.
using LogLineWriter = std::function<void(std::string_view line)>;

// Opts in to a JSON log line for every decision, written synchronously on the
// deciding thread (calls to `write` are serialized). Replaces any previous
// writer. Thread-safe.
void enable_json_log(LogLineWriter write);

// As above, writing each line and a newline to `out`, which must outlive the
// log (until disable_json_log()).
void enable_json_log(std::ostream& out);

// Stops the JSON log. Thread-safe.
void disable_json_log();

}  // namespace agentsudo
