#pragma once

#include <string_view>
#include <vector>

#include "server/api/cursor.hpp"
#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/store/event_store.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// GET /api/v1/projects/{project_id}/events: one project's events, newest
// first, filtered and paged by cursor. For members of the project and
// operators (see AccessControl). Thread-safe.
class EventsHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<EventsHandler>> routes();

  static constexpr std::size_t kDefaultLimit = 50;
  static constexpr std::size_t kMaxLimit = 1000;

  EventsHandler(AccessControl& access, EventStore& events, const CursorCodec& cursors);

  Result<http::Response> list(const http::Request& request, std::string_view project_id);

 private:
  AccessControl& access_;
  EventStore& events_;
  const CursorCodec& cursors_;
};

}  // namespace agentsudo::server::api
