#include "server/api/event_csv.hpp"

namespace agentsudo::server::api {
namespace {

bool starts_formula(std::string_view text) {
  return !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@');
}

bool needs_quotes(std::string_view text) {
  return text.find_first_of(",\"\r\n") != std::string_view::npos;
}

}  // namespace

void append_csv_cell(std::string_view text, std::string& out) {
  bool quoted = needs_quotes(text);
  if (quoted)
    out.push_back('"');
  if (starts_formula(text))
    out.push_back('\'');
  for (char c : text) {
    if (c == '"')
      out.push_back('"');
    out.push_back(c);
  }
  if (quoted)
    out.push_back('"');
}

void append_event_csv(const StoredEvent& event, std::string& out) {
  append_csv_cell(event.id, out);
  out.push_back(',');
  append_csv_cell(format_rfc3339(event.timestamp), out);
  out.push_back(',');
  append_csv_cell(format_rfc3339(event.received_at), out);
  out.push_back(',');
  append_csv_cell(event.agent_id, out);
  out.push_back(',');
  append_csv_cell(event.agent_name, out);
  out.push_back(',');
  append_csv_cell(event.action, out);
  out.push_back(',');
  append_csv_cell(event.scope.value_or(""), out);
  out.push_back(',');
  out += event.allowed ? "true" : "false";
  out.push_back(',');
  append_csv_cell(event.function_name.value_or(""), out);
  out.push_back(',');
  append_csv_cell(event.metadata_json, out);
  out += "\r\n";
}

}  // namespace agentsudo::server::api
