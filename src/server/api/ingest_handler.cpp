#include "server/api/ingest_handler.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "server/api/event_json.hpp"
#include "server/api/ingest_response.hpp"
#include "server/api/request_body.hpp"
#include "server/api/responses.hpp"
#include "server/auth/credentials.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

// The first event of the outcome as the reference's 201 body.
std::string single_event_body(const IngestOutcome& outcome, const KeyOwner& owner) {
  const EventBatch& batch = outcome.batch;
  const Event& event = batch.events.front();
  StoredEvent stored;
  stored.id = batch.event_ids.front();
  stored.agent_id = outcome.committed.agent_ids.front();
  stored.agent_name = event.agent_name;
  stored.action = event.action;
  stored.scope = event.scope;
  stored.allowed = event.allowed;
  stored.function_name = event.function_name;
  stored.metadata_json = event.metadata_json;
  stored.timestamp = event.timestamp.value_or(batch.received_at);
  stored.received_at = batch.received_at;
  std::string body;
  body.reserve(512 + stored.metadata_json.size());
  append_event_json(stored, owner.project_id, body);
  return body;
}

}  // namespace

std::vector<ResourceRoute<IngestHandler>> IngestHandler::routes() {
  using http::Verb;
  return {
      route(Verb::post, "/ingest-event", IngestHandler::kMaxEventBytes, Access::kApiKey,
            &IngestHandler::ingest_event),
      route(Verb::post, "/api/events", IngestHandler::kMaxBatchBytes, Access::kApiKey,
            &IngestHandler::ingest_batch),
  };
}

IngestHandler::IngestHandler(ProjectStore& projects, Ingestor& ingestor)
    : projects_(projects), ingestor_(ingestor) {}

boost::asio::awaitable<Result<http::Response>> IngestHandler::ingest_event(
    const http::Request& request) {
  CO_ASSIGN_OR_RETURN(auto owner, authenticate_api_key(projects_, request["X-API-Key"]));
  auto events = decode_body(request, [](const json::value& body) -> Result<std::vector<Event>> {
    ASSIGN_OR_RETURN(auto event, decode_event(body));
    return std::vector<Event>{std::move(event)};
  });
  if (!events)
    co_return ingest_refusal(ingestor_, owner, events.error(), request);

  IngestOutcome outcome = co_await ingestor_.ingest(owner, std::move(*events));
  if (outcome.error)
    co_return ingest_error_response(outcome, request);
  http::Response response{http::beast_http::status::created, request.version()};
  response.set(http::Field::content_type, "application/json");
  response.set("X-Content-Type-Options", "nosniff");
  response.body() = single_event_body(outcome, owner);
  set_quota_headers(response, *outcome.quota);
  co_return response;
}

boost::asio::awaitable<Result<http::Response>> IngestHandler::ingest_batch(
    const http::Request& request) {
  CO_ASSIGN_OR_RETURN(auto owner, authenticate_api_key(projects_, request["X-API-Key"]));
  auto events = decode_body(
      request, [](const json::value& body) { return decode_event_batch(body, kMaxBatchEvents); });
  if (!events)
    co_return ingest_refusal(ingestor_, owner, events.error(), request);

  std::size_t count = events->size();
  IngestOutcome outcome = co_await ingestor_.ingest(owner, std::move(*events));
  if (outcome.error)
    co_return ingest_error_response(outcome, request);
  http::Response response = json_response(200, json::object{{"stored", count}}, request.version());
  set_quota_headers(response, *outcome.quota);
  co_return response;
}

template <class Decode>
Result<std::vector<Event>> IngestHandler::decode_body(const http::Request& request, Decode decode) {
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  return decode(body);
}

}  // namespace agentsudo::server::api
