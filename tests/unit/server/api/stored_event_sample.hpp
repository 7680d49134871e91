#pragma once

#include "server/store/event_store.hpp"

namespace agentsudo::server::api {

// A stored event with every member set, for the tests of the shapes the read
// API and the export give it; each test changes what it is about.
inline StoredEvent sample_stored_event() {
  StoredEvent event;
  event.seq = 9;
  event.id = "0190a5c4-0000-7000-8000-000000000001";
  event.agent_id = "0190a5c4-0000-7000-8000-0000000000a1";
  event.agent_name = "SupportBot";
  event.action = "permission_check";
  event.scope = "read:orders";
  event.allowed = false;
  event.function_name = "get_order";
  event.metadata_json = R"({"k":[1,2],"session_id":"s"})";
  event.timestamp = 1'768'473'000'123'456;
  event.received_at = 1'768'473'001'000'000;
  return event;
}

}  // namespace agentsudo::server::api
