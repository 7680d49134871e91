#include "server/api/export_handler.hpp"

#include <boost/json.hpp>

#include "server/api/event_csv.hpp"
#include "server/api/event_filters.hpp"
#include "server/api/event_json.hpp"
#include "server/api/request_credentials.hpp"
#include "server/audit/chain_report_json.hpp"

namespace agentsudo::server::api {
namespace asio = boost::asio;

namespace {

enum class ExportFormat { kCsv, kNdjson };

// The event's object with, for a chained event, a last member "chain": its
// link and the exact integers the hash covers (the object's timestamps are
// rounded for people).
void append_ndjson_event(const StoredEvent& event, std::string_view project_id, std::string& out) {
  append_event_json(event, project_id, out);
  auto hash = audit::chain_hash_from_bytes(event.chain_hash);
  if (event.chain_position != 0 && hash) {
    out.pop_back();
    out += ",\"chain\":";
    out += boost::json::serialize(boost::json::object{{"position", event.chain_position},
                                                      {"seq", event.seq},
                                                      {"hash", audit::to_hex(*hash)},
                                                      {"ts", event.timestamp},
                                                      {"received_at", event.received_at}});
    out.push_back('}');
  }
  out.push_back('\n');
}

void append_row(ExportFormat format, const StoredEvent& event, std::string_view project_id,
                std::string& out) {
  if (format == ExportFormat::kCsv)
    append_event_csv(event, out);
  else
    append_ndjson_event(event, project_id, out);
}

std::string checkpoint_lines(const std::vector<audit::Checkpoint>& checkpoints) {
  std::string lines;
  for (const auto& checkpoint : checkpoints) {
    lines += boost::json::serialize(
        boost::json::object{{"checkpoint", audit::checkpoint_json(checkpoint)}});
    lines.push_back('\n');
  }
  return lines;
}

// Pages through the store from the newest event down, one chunk per page.
http::BodyProducer page_through(EventStore& events, AuditLog& audit, EventQuery query,
                                std::string project_id, ExportFormat format) {
  return [&events, &audit, query = std::move(query), project_id = std::move(project_id),
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
        break;
      if (body.should_stop())
        co_return false;
      query.before_seq = page->back().seq;
    }
    if (format == ExportFormat::kCsv)
      co_return true;
    auto checkpoints = audit.checkpoints(query.project_rowid);
    if (!checkpoints)
      co_return false;
    co_return co_await body.write(checkpoint_lines(*checkpoints));
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

ExportHandler::ExportHandler(AccessControl& access, EventStore& events, AuditLog& audit)
    : access_(access), events_(events), audit_(audit) {}

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
  return http::Reply(std::move(head), page_through(events_, audit_, std::move(filters.query),
                                                   access.project.id, format));
}

}  // namespace agentsudo::server::api
