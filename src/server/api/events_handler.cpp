#include "server/api/events_handler.hpp"

#include "server/api/event_filters.hpp"
#include "server/api/event_json.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace {

Error invalid_parameter(std::string name, std::string message) {
  return make_error(ErrorKind::kInvalidParameter, std::move(message), std::move(name));
}

std::string page_body(const std::vector<StoredEvent>& events, std::string_view project_id,
                      const std::optional<std::string>& next_cursor) {
  std::string body = "{\"events\":[";
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i > 0)
      body.push_back(',');
    append_event_json(events[i], project_id, body);
  }
  body += "],\"next_cursor\":";
  if (next_cursor) {
    append_json_string(*next_cursor, body);
  } else {
    body += "null";
  }
  body.push_back('}');
  return body;
}

}  // namespace

std::vector<ResourceRoute<EventsHandler>> EventsHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/projects/{project_id}/events", kSmallBody, Access::kProject,
            &EventsHandler::list),
  };
}

EventsHandler::EventsHandler(AccessControl& access, EventStore& events, const CursorCodec& cursors)
    : access_(access), events_(events), cursors_(cursors) {}

http::Response EventsHandler::list(const http::Request& request, std::string_view project_id) {
  unsigned version = request.version();
  auto principal = authenticate(access_, request);
  if (!principal)
    return error_response(principal.error(), version);
  auto list = parse_event_filters(request.target(), FilterRoute::kList);
  if (!list)
    return error_response(list.error(), version);
  auto project = access_.visible_project(*principal, project_id);
  if (!project)
    return error_response(project.error(), version);

  std::string scope = std::string(project_id) + "\n" + list->fingerprint;
  if (list->cursor) {
    list->query.before_seq = cursors_.decode(*list->cursor, scope);
    if (!list->query.before_seq) {
      return error_response(
          invalid_parameter("cursor", "cursor was not issued for this project and these filters"),
          version);
    }
  }
  list->query.project_rowid = project->rowid;
  auto events = events_.query(list->query);
  if (!events)
    return error_response(events.error(), version);

  std::optional<std::string> next_cursor;
  if (events->size() == list->query.limit) {
    next_cursor = cursors_.encode(events->back().seq, scope);
  }
  http::Response response{http::beast_http::status::ok, version};
  response.set(http::Field::content_type, "application/json");
  response.set(http::Field::cache_control, "no-store");
  response.body() = page_body(*events, project_id, next_cursor);
  return response;
}

}  // namespace agentsudo::server::api
