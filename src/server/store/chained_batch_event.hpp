#pragma once

#include <cstddef>
#include <string_view>

#include "server/audit/canonical_event.hpp"
#include "server/store/event_store.hpp"

namespace agentsudo::server {

// What the audit chain hashes of a batch's event `index`, stored under the
// agent `agent_id`: the same fields whichever store writes it. The project,
// position and seq are the chain's to fill in.
audit::ChainedEvent chained_event_of(const EventBatch& batch, std::size_t index,
                                     std::string_view agent_id);

}  // namespace agentsudo::server
