#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "server/api/cursor.hpp"
#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/http/reply.hpp"
#include "server/live/commit_notifier.hpp"
#include "server/live/stream_limiter.hpp"
#include "server/store/event_store.hpp"

namespace agentsudo::server::api {

// GET /api/v1/projects/{id}/live: the project's new events as Server-Sent
// Events, each within a second of its commit. Resumes after Last-Event-ID
// (or ?last_event_id=) by replaying from the store; ?action= (repeatable)
// keeps only those actions. Thread-safe.
class LiveHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<LiveHandler>> routes();

  static constexpr std::size_t kMaxStreamsPerPrincipal = 5;
  // A comment line this often keeps proxies from closing an idle stream.
  static constexpr std::chrono::seconds kHeartbeat{15};
  // How often an idle stream looks at its project's commit counter.
  static constexpr std::chrono::milliseconds kPollInterval{100};
  // The actions one stream may follow, and the longest name.
  static constexpr std::size_t kMaxActions = 20;
  static constexpr std::size_t kMaxActionBytes = 100;
  // Events read from the store per step of a replay.
  static constexpr std::size_t kPageRows = 500;

  LiveHandler(AccessControl& access, EventStore& events, CommitNotifier& commits,
              const CursorCodec& cursors, StreamLimiter& limiter);

  Result<http::Reply> live(const http::Request& request, std::string_view project_id);

 private:
  AccessControl& access_;
  EventStore& events_;
  CommitNotifier& commits_;
  const CursorCodec& cursors_;
  StreamLimiter& limiter_;
};

}  // namespace agentsudo::server::api
