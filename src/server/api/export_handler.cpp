#include "server/api/export_handler.hpp"

#include "server/api/event_csv.hpp"
#include "server/api/event_filters.hpp"
#include "server/api/event_json.hpp"
#include "server/api/request_credentials.hpp"

namespace agentsudo::server::api {
namespace asio = boost::asio;

namespace {

enum class ExportFormat { kCsv, kNdjson };

void append_row(ExportFormat format, const StoredEvent& event, std::string_view project_id,
                std::string& out) {
  if (format == ExportFormat::kCsv) {
    append_event_csv(event, out);
  } else {
    append_event_json(event, project_id, out);
    out.push_back('\n');
  }
}

// Pages through the store from the newest event down, one chunk per page.
http::BodyProducer page_through(EventStore& events, EventQuery query, std::string project_id,
                                ExportFormat format) {
  return [&events, query = std::move(query), project_id = std::move(project_id),
          format](http::BodyStream& body) mutable -> asio::awaitable<bool> {
    std::string chunk;
    if (format == ExportFormat::kCsv)
      chunk = kEventCsvHeader;
    query.limit = ExportHandler::kPageRows;
    for (;;) {
      auto page = events.query(query);
      if (!page)
        co_return false;  // cut off: the client sees an incomplete body
      for (const auto& event : *page)
        append_row(format, event, project_id, chunk);
      if (!co_await body.write(chunk))
        co_return false;
      chunk.clear();
      if (page->size() < query.limit)
        co_return true;
      if (body.should_stop())
        co_return false;
      query.before_seq = page->back().seq;
    }
  };
}

}  // namespace

std::vector<ResourceRoute<ExportHandler>> ExportHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/projects/{project_id}/events/export", kSmallBody, Access::kProject,
            &ExportHandler::export_events),
  };
}

ExportHandler::ExportHandler(AccessControl& access, EventStore& events)
    : access_(access), events_(events) {}

Result<http::Reply> ExportHandler::export_events(const http::Request& request,
                                                 std::string_view project_id) {
  ASSIGN_OR_RETURN(auto access, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto filters, parse_event_filters(request.target(), FilterRoute::kExport));
  ExportFormat format =
      filters.format.value_or("csv") == "ndjson" ? ExportFormat::kNdjson : ExportFormat::kCsv;
  filters.query.project_rowid = access.project.rowid;

  http::Response head{http::beast_http::status::ok, request.version()};
  const char* extension = format == ExportFormat::kCsv ? "csv" : "ndjson";
  head.set(http::Field::content_type,
           format == ExportFormat::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson");
  head.set(http::Field::content_disposition, std::string("attachment; filename=\"events-") +
                                                 access.project.id + "." + extension + "\"");
  head.set(http::Field::cache_control, "no-store");
  head.set("X-Content-Type-Options", "nosniff");
  return http::Reply(std::move(head),
                     page_through(events_, std::move(filters.query), access.project.id, format));
}

}  // namespace agentsudo::server::api
