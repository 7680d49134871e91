#include "server/api/live_handler.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>
#include <unordered_set>

#include "server/api/event_json.hpp"
#include "server/api/request_credentials.hpp"

namespace agentsudo::server::api {
namespace asio = boost::asio;

namespace {

// Binds live-feed ids to their project, so an id from another project's
// feed (or a read-API cursor) cannot be replayed here.
std::string cursor_scope(std::string_view project_id) {
  return "live\n" + std::string(project_id);
}

Error invalid_parameter(std::string name, std::string message) {
  return make_error(ErrorKind::kInvalidParameter, std::move(message), std::move(name));
}

// What a stream asks for: where to resume, and which actions it wants.
struct LiveQuery {
  std::optional<std::string> resume_id;
  std::unordered_set<std::string> actions;  // empty: every action
};

// The id to resume after is the Last-Event-ID header, else ?last_event_id=;
// each ?action= adds an action to follow (a page that only counts approval
// requests need not receive a busy project's every check).
Result<LiveQuery> live_query(const http::Request& request) {
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url)
    return invalid_parameter("", "the request target is not a valid URL");
  LiveQuery query;
  for (const auto& param : url->params()) {
    if (param.key.empty())
      continue;  // "?" alone, or "&&"
    if (param.key == "last_event_id") {
      query.resume_id = param.value;
    } else if (param.key == "action") {
      if (param.value.empty() || param.value.size() > LiveHandler::kMaxActionBytes)
        return invalid_parameter(
            "action",
            "action must be 1 to " + std::to_string(LiveHandler::kMaxActionBytes) + " bytes");
      query.actions.insert(param.value);
      if (query.actions.size() > LiveHandler::kMaxActions)
        return invalid_parameter("action", "at most " + std::to_string(LiveHandler::kMaxActions) +
                                               " actions may be followed");
    } else {
      return invalid_parameter(param.key, "unknown query parameter " + param.key);
    }
  }
  if (auto header = request.find("Last-Event-ID"); header != request.end())
    query.resume_id = std::string(header->value());
  if (query.resume_id && query.resume_id->empty())
    query.resume_id.reset();
  return query;
}

struct FeedState {
  EventStore& events;
  const CursorCodec& cursors;
  std::shared_ptr<const CommitNotifier::Counter> commits;
  StreamLimiter::Slot slot;
  std::int64_t project_rowid;
  std::string project_id;
  std::int64_t after_seq;
  std::unordered_set<std::string> actions;  // empty: every action

  bool follows(const StoredEvent& event) const {
    return actions.empty() || actions.contains(event.action);
  }
};

// Sends every stored event after the position; false when the client is gone.
asio::awaitable<bool> send_new_events(FeedState& feed, http::BodyStream& body, bool& sent) {
  sent = false;
  for (;;) {
    auto page =
        feed.events.tail(TailQuery{feed.project_rowid, feed.after_seq, LiveHandler::kPageRows});
    if (!page)
      co_return true;  // a failed read is retried on the next commit or heartbeat
    if (page->empty())
      co_return true;
    std::string frames;
    for (const auto& event : *page) {
      if (!feed.follows(event))
        continue;
      frames += "id: " + feed.cursors.encode(event.seq, cursor_scope(feed.project_id)) +
                "\nevent: event\ndata: ";
      append_event_json(event, feed.project_id, frames);
      frames += "\n\n";
    }
    if (!frames.empty()) {
      if (!co_await body.write(frames))
        co_return false;
      sent = true;
    }
    feed.after_seq = page->back().seq;
    if (page->size() < LiveHandler::kPageRows)
      co_return true;
  }
}

http::BodyProducer stream_feed(std::shared_ptr<FeedState> feed) {
  return [feed](http::BodyStream& body) -> asio::awaitable<bool> {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    if (!co_await body.write("retry: 2000\n\n"))
      co_return false;
    auto last_write = std::chrono::steady_clock::now();
    std::uint64_t seen = feed->commits->load() - 1;  // forces the first read (the replay)
    while (!body.should_stop()) {
      auto now = std::chrono::steady_clock::now();
      std::uint64_t current = feed->commits->load();
      bool heartbeat_due = now - last_write >= LiveHandler::kHeartbeat;
      if (current != seen || heartbeat_due) {
        seen = current;
        bool sent = false;
        if (!co_await send_new_events(*feed, body, sent))
          co_return false;
        if (sent)
          last_write = now;
      }
      if (std::chrono::steady_clock::now() - last_write >= LiveHandler::kHeartbeat) {
        if (!co_await body.write(": keep-alive\n\n"))
          co_return false;
        last_write = std::chrono::steady_clock::now();
      }
      timer.expires_after(LiveHandler::kPollInterval);
      // Never throws: a cancelled wait just means "look again".
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return true;  // the client left or the server drains: end the stream cleanly
  };
}

}  // namespace

std::vector<ResourceRoute<LiveHandler>> LiveHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/projects/{project_id}/live", kSmallBody, Access::kProject,
            &LiveHandler::live),
  };
}

LiveHandler::LiveHandler(AccessControl& access, EventStore& events, CommitNotifier& commits,
                         const CursorCodec& cursors, StreamLimiter& limiter)
    : access_(access), events_(events), commits_(commits), cursors_(cursors), limiter_(limiter) {}

Result<http::Reply> LiveHandler::live(const http::Request& request, std::string_view project_id) {
  ASSIGN_OR_RETURN(auto access, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto query, live_query(request));
  std::optional<std::int64_t> resume_seq;
  if (query.resume_id) {
    resume_seq = cursors_.decode(*query.resume_id, cursor_scope(access.project.id));
    if (!resume_seq)
      return invalid_parameter("last_event_id",
                               "last_event_id was not issued by this project's feed");
  }
  auto slot = limiter_.try_acquire(access.principal.subject);
  if (!slot) {
    return make_error(ErrorKind::kRateLimited,
                      "at most " + std::to_string(kMaxStreamsPerPrincipal) +
                          " live streams may be open at once; close one first");
  }
  // Watch before reading the position, so no commit falls between the two.
  auto commits = commits_.watch(access.project.rowid);
  std::int64_t after = 0;
  if (resume_seq) {
    after = *resume_seq;
  } else {
    ASSIGN_OR_RETURN(after, events_.last_seq(access.project.rowid));
  }
  auto feed = std::make_shared<FeedState>(
      FeedState{events_, cursors_, std::move(commits), std::move(slot), access.project.rowid,
                access.project.id, after, std::move(query.actions)});
  http::Response head{http::beast_http::status::ok, request.version()};
  head.set(http::Field::content_type, "text/event-stream");
  head.set(http::Field::cache_control, "no-store");
  head.set("X-Accel-Buffering", "no");  // nginx: pass each event through at once
  return http::Reply(std::move(head), stream_feed(std::move(feed)));
}

}  // namespace agentsudo::server::api
