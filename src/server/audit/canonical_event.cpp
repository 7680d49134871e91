#include "server/audit/canonical_event.hpp"

#include "server/audit/canonical_writer.hpp"

namespace agentsudo::server::audit {

void append_canonical_event(const ChainedEvent& event, std::string& out) {
  CanonicalWriter writer(out);
  writer.raw_byte(kCanonicalEventVersion);
  writer.string(event.project_id);
  writer.integer(event.position);
  writer.integer(event.seq);
  writer.string(event.event_id);
  writer.string(event.agent_id);
  writer.string(event.agent_name);
  writer.string(event.action);
  writer.optional_string(event.scope);
  writer.boolean(event.allowed);
  writer.optional_string(event.function_name);
  writer.string(event.metadata_json);
  writer.integer(event.timestamp);
  writer.integer(event.received_at);
}

}  // namespace agentsudo::server::audit
