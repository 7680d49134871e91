#include "server/store/chained_batch_event.hpp"

namespace agentsudo::server {

audit::ChainedEvent chained_event_of(const EventBatch& batch, std::size_t index,
                                     std::string_view agent_id) {
  const Event& event = batch.events[index];
  audit::ChainedEvent chained;
  chained.event_id = batch.event_ids[index];
  chained.agent_id = agent_id;
  chained.agent_name = event.agent_name;
  chained.action = event.action;
  if (event.scope)
    chained.scope = *event.scope;
  chained.allowed = event.allowed;
  if (event.function_name)
    chained.function_name = *event.function_name;
  chained.metadata_json = event.metadata_json;
  chained.timestamp = event.timestamp.value_or(batch.received_at);
  chained.received_at = batch.received_at;
  return chained;
}

}  // namespace agentsudo::server
