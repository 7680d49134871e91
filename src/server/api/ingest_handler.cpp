#include "server/api/ingest_handler.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/uuid.hpp"
#include "server/api/event_json.hpp"
#include "server/api/ingest_response.hpp"
#include "server/api/request_body.hpp"
#include "server/api/responses.hpp"
#include "server/auth/credentials.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

std::string event_body(const StoredEvent& stored, const KeyOwner& owner) {
  std::string body;
  body.reserve(512 + stored.metadata_json.size());
  append_event_json(stored, owner.project_id, body);
  return body;
}

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
  return event_body(stored, owner);
}

// 201 with the event as stored; 200 with the event stored before, when its
// event_id was already there.
http::Response event_response(const IngestOutcome& outcome, const KeyOwner& owner,
                              const http::Request& request) {
  const auto& duplicates = outcome.committed.duplicates;
  http::Response response{
      duplicates.empty() ? http::beast_http::status::created : http::beast_http::status::ok,
      request.version()};
  response.set(http::Field::content_type, "application/json");
  response.set("X-Content-Type-Options", "nosniff");
  response.body() = duplicates.empty() ? single_event_body(outcome, owner)
                                       : event_body(duplicates.front().second, owner);
  set_quota_headers(response, *outcome.quota);
  return response;
}

http::Response batch_response(const IngestOutcome& outcome, std::size_t count,
                              const http::Request& request) {
  http::Response response = json_response(
      200, json::object{{"stored", count}, {"duplicates", outcome.committed.duplicates.size()}},
      request.version());
  set_quota_headers(response, *outcome.quota);
  return response;
}

Error invalid_header(std::string_view header, std::string message) {
  return make_error(ErrorKind::kInvalidPayload, std::move(message), std::string(header));
}

// AgentSudo-Dropped with the AgentSudo-Instance it speaks for; unset when the
// request reports no drops.
Result<std::optional<DropReport>> read_drop_report(const http::Request& request) {
  constexpr std::string_view kInstance = "AgentSudo-Instance";
  constexpr std::string_view kDropped = "AgentSudo-Dropped";
  auto instance = request.find(kInstance);
  if (instance != request.end() && !is_canonical_uuid(instance->value()))
    return invalid_header(kInstance, "AgentSudo-Instance must be a lower-case UUID");
  auto dropped = request.find(kDropped);
  if (dropped == request.end())
    return std::optional<DropReport>();
  std::string_view digits = dropped->value();
  if (digits.empty() || digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return invalid_header(kDropped, "AgentSudo-Dropped must be a non-negative integer");
  }
  if (instance == request.end())
    return invalid_header(kInstance, "AgentSudo-Dropped needs the AgentSudo-Instance it counts");
  return std::optional<DropReport>(
      DropReport{std::string(instance->value()), std::stoll(std::string(digits))});
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
  auto events = decode_body(request, kMaxEventBytes,
                            [](const json::value& body) -> Result<std::vector<Event>> {
                              ASSIGN_OR_RETURN(auto event, decode_event(body));
                              return std::vector<Event>{std::move(event)};
                            });
  if (!events)
    co_return ingest_refusal(ingestor_, owner, events.error(), request);

  IngestOutcome outcome =
      co_await ingestor_.ingest(owner, std::move(events->events), std::move(events->drops));
  if (outcome.error)
    co_return ingest_error_response(outcome, request);
  co_return event_response(outcome, owner, request);
}

boost::asio::awaitable<Result<http::Response>> IngestHandler::ingest_batch(
    const http::Request& request) {
  CO_ASSIGN_OR_RETURN(auto owner, authenticate_api_key(projects_, request["X-API-Key"]));
  auto events = decode_body(request, kMaxBatchBytes, [](const json::value& body) {
    return decode_event_batch(body, kMaxBatchEvents);
  });
  if (!events)
    co_return ingest_refusal(ingestor_, owner, events.error(), request);

  std::size_t count = events->events.size();
  IngestOutcome outcome =
      co_await ingestor_.ingest(owner, std::move(events->events), std::move(events->drops));
  if (outcome.error)
    co_return ingest_error_response(outcome, request);
  co_return batch_response(outcome, count, request);
}

template <class Decode>
Result<IngestHandler::Decoded> IngestHandler::decode_body(const http::Request& request,
                                                          std::size_t max_bytes, Decode decode) {
  ASSIGN_OR_RETURN(auto body, parse_json_body(request, max_bytes));
  ASSIGN_OR_RETURN(auto events, decode(body));
  ASSIGN_OR_RETURN(auto drops, read_drop_report(request));
  return Decoded{std::move(events), std::move(drops)};
}

}  // namespace agentsudo::server::api
