#include "server/api/events_handler.hpp"

#include <boost/url/parse.hpp>
#include <charconv>

#include "server/api/event_json.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace {

Error invalid_parameter(std::string name, std::string message) {
  return make_error(ErrorKind::kInvalidParameter, std::move(message), std::move(name));
}

// The query as the client asked for it, before the cursor is resolved.
struct ListRequest {
  EventQuery query;
  std::optional<std::string> cursor;
  std::string filter_fingerprint;  // what a cursor is bound to
};

Result<std::size_t> parse_limit(std::string_view text) {
  std::size_t limit = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (ec != std::errc() || end != text.data() + text.size() || limit < 1 ||
      limit > EventsHandler::kMaxLimit) {
    return invalid_parameter("limit", "limit must be a whole number from 1 to " +
                                          std::to_string(EventsHandler::kMaxLimit));
  }
  return limit;
}

Result<UnixMicros> parse_time(const std::string& name, std::string_view text) {
  auto parsed = parse_rfc3339(text);
  if (!parsed) {
    return invalid_parameter(name, name + " must be an RFC 3339 time such as 2026-01-15T10:30:00Z");
  }
  return *parsed;
}

// Applies one query parameter to the request, or says what is wrong with it.
Status apply_parameter(const std::string& name, const std::string& value, ListRequest& list) {
  EventQuery& q = list.query;
  if (name == "agent_name") {
    q.agent_name = value;
  } else if (name == "scope") {
    q.scope = value;
  } else if (name == "action") {
    q.action = value;
  } else if (name == "allowed") {
    if (value != "true" && value != "false") {
      return invalid_parameter("allowed", "allowed must be true or false");
    }
    q.allowed = value == "true";
  } else if (name == "since" || name == "until") {
    auto time = parse_time(name, value);
    if (!time)
      return time.error();
    (name == "since" ? q.since : q.until) = *time;
  } else if (name == "limit") {
    auto limit = parse_limit(value);
    if (!limit)
      return limit.error();
    q.limit = *limit;
  } else if (name == "cursor") {
    list.cursor = value;
    return {};
  } else {
    return invalid_parameter(name, "unknown query parameter " + name);
  }
  list.filter_fingerprint += name + "=" + value + "\n";
  return {};
}

Result<ListRequest> parse_list_request(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url)
    return invalid_parameter("", "the request target is not a valid URL");
  ListRequest list;
  list.query.limit = EventsHandler::kDefaultLimit;
  for (const auto& param : url->params()) {
    if (auto status = apply_parameter(param.key, param.value, list); !status) {
      return status.error();
    }
  }
  return list;
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

EventsHandler::EventsHandler(AccessControl& access, EventStore& events, const CursorCodec& cursors)
    : access_(access), events_(events), cursors_(cursors) {}

http::Response EventsHandler::list(const http::Request& request, std::string_view project_id) {
  unsigned version = request.version();
  auto principal = authenticate(access_, request);
  if (!principal)
    return error_response(principal.error(), version);
  auto list = parse_list_request(request.target());
  if (!list)
    return error_response(list.error(), version);
  auto project = access_.visible_project(*principal, project_id);
  if (!project)
    return error_response(project.error(), version);

  std::string scope = std::string(project_id) + "\n" + list->filter_fingerprint;
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
