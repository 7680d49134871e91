#pragma once

#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/http/reply.hpp"
#include "server/store/audit_log.hpp"
#include "server/store/event_store.hpp"

namespace agentsudo::server::api {

// GET /api/v1/projects/{id}/events/export?format=csv|ndjson&<filters>: every
// matching event, newest first, streamed a page at a time so memory stays
// flat however many rows match. NDJSON also carries each event's chain link
// and, after the events, the project's signed checkpoints (docs/AUDIT.md),
// so a third party can check an export offline. Thread-safe.
class ExportHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<ExportHandler>> routes();

  // Rows read from the store and sent per chunk.
  static constexpr std::size_t kPageRows = 1000;

  ExportHandler(AccessControl& access, EventStore& events, AuditLog& audit);

  Result<http::Reply> export_events(const http::Request& request, std::string_view project_id);

 private:
  AccessControl& access_;
  EventStore& events_;
  AuditLog& audit_;
};

}  // namespace agentsudo::server::api
