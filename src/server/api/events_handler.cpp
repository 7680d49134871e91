#include "server/api/events_handler.hpp"

#include "server/api/event_filters.hpp"
#include "server/api/event_json.hpp"
#include "server/api/request_credentials.hpp"

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

Result<http::Response> EventsHandler::list(const http::Request& request,
                                           std::string_view project_id) {
  ASSIGN_OR_RETURN(auto principal, authenticate(access_, request));
  ASSIGN_OR_RETURN(auto list, parse_event_filters(request.target(), FilterRoute::kList));
  ASSIGN_OR_RETURN(auto project, access_.visible_project(principal, project_id));

  std::string scope = std::string(project_id) + "\n" + list.fingerprint;
  if (list.cursor) {
    list.query.before_seq = cursors_.decode(*list.cursor, scope);
    if (!list.query.before_seq)
      return invalid_parameter("cursor",
                               "cursor was not issued for this project and these filters");
  }
  list.query.project_rowid = project.rowid;
  ASSIGN_OR_RETURN(auto events, events_.query(list.query));

  std::optional<std::string> next_cursor;
  if (events.size() == list.query.limit) {
    next_cursor = cursors_.encode(events.back().seq, scope);
  }
  http::Response response{http::beast_http::status::ok, request.version()};
  response.set(http::Field::content_type, "application/json");
  response.set(http::Field::cache_control, "no-store");
  response.body() = page_body(events, project_id, next_cursor);
  return response;
}

}  // namespace agentsudo::server::api
