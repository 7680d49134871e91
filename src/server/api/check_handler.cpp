#include "server/api/check_handler.hpp"

#include <boost/json.hpp>

#include "server/api/event_json.hpp"
#include "server/api/ingest_handler.hpp"
#include "server/api/ingest_response.hpp"
#include "server/api/request_body.hpp"
#include "server/api/responses.hpp"
#include "server/auth/credentials.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

// A check is validated as the event it becomes, so its fields have exactly
// the limits of /ingest-event; the server supplies the action, the outcome
// and the time.
Result<Event> decode_check(const json::value& body) {
  if (!body.is_object())
    return make_error(ErrorKind::kInvalidPayload, "the body must be a JSON object");
  json::object request = body.get_object();
  request["action"] = "permission_check";
  request["allowed"] = false;
  request.erase("timestamp");
  ASSIGN_OR_RETURN(auto event, decode_event(request));
  if (!event.scope || event.scope->empty())
    return make_error(ErrorKind::kInvalidPayload, "scope is required", "scope");
  return event;
}

// The decision joins the caller's metadata; the server's keys win, so a
// caller cannot claim a version or a grant.
void record_decision(Event& event, const PolicyDecision& decision, std::int64_t version) {
  event.allowed = decision.allowed;
  event.action = decision.allowed ? "permission_check" : "permission_denied";
  json::object metadata = json::parse(event.metadata_json).as_object();
  metadata["policy_version"] = version;
  metadata.erase("matched");
  metadata.erase("reason");
  if (decision.matched)
    metadata["matched"] = *decision.matched;
  else
    metadata["reason"] = decision.reason;
  metadata["checked_by"] = "server";
  event.metadata_json = json::serialize(metadata);
}

json::object answer(const Event& event, const PolicyDecision& decision, std::string_view event_id,
                    std::int64_t version) {
  json::object body{{"allowed", decision.allowed},
                    {"action", event.action},
                    {"event_id", event_id},
                    {"policy_version", version}};
  if (decision.matched)
    body["matched"] = *decision.matched;
  else
    body["reason"] = decision.reason;
  return body;
}

}  // namespace

std::vector<ResourceRoute<CheckHandler>> CheckHandler::routes() {
  using http::Verb;
  return {
      route(Verb::post, "/v1/check", IngestHandler::kMaxEventBytes, Access::kApiKey,
            &CheckHandler::check),
  };
}

CheckHandler::CheckHandler(ProjectStore& projects, PolicyCache& policies, Ingestor& ingestor)
    : projects_(projects), policies_(policies), ingestor_(ingestor) {}

boost::asio::awaitable<Result<http::Response>> CheckHandler::check(const http::Request& request) {
  CO_ASSIGN_OR_RETURN(auto owner, authenticate_api_key(projects_, request["X-API-Key"]));
  auto event = [&]() -> Result<Event> {
    ASSIGN_OR_RETURN(auto body, parse_json_body(request));
    return decode_check(body);
  }();
  if (!event)
    co_return ingest_refusal(ingestor_, owner, event.error(), request);
  CO_ASSIGN_OR_RETURN(auto policy, policies_.current(owner.project_rowid));

  PolicyDecision decision = policy->decide(event->agent_name, *event->scope);
  record_decision(*event, decision, policy->version());
  std::vector<Event> events;
  events.push_back(*event);
  IngestOutcome outcome = co_await ingestor_.ingest(owner, std::move(events));
  if (outcome.error)
    co_return ingest_error_response(outcome, request);
  http::Response response = json_response(
      200, answer(*event, decision, outcome.batch.event_ids.front(), policy->version()),
      request.version());
  set_quota_headers(response, *outcome.quota);
  co_return response;
}

}  // namespace agentsudo::server::api
