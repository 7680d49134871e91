#include "server/api/check_handler.hpp"

#include <boost/json.hpp>

#include "server/api/event_json.hpp"
#include "server/api/ingest_handler.hpp"
#include "server/api/ingest_response.hpp"
#include "server/api/json_members.hpp"
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

// The approval members of a check, decoded; the service checks their ranges.
Result<CheckApprovalOptions> decode_approval_options(const json::value& body) {
  auto members = JsonMembers::some_of(body.get_object());
  CheckApprovalOptions options;
  ASSIGN_OR_RETURN(auto on_denial, members.optional_string("on_denial"));
  if (on_denial && *on_denial != "deny" && *on_denial != "approval")
    return invalid_member("on_denial", "on_denial must be \"deny\" or \"approval\"");
  options.request_on_denial = on_denial == "approval";
  ASSIGN_OR_RETURN(auto args_digest, members.optional_string("args_digest"));
  options.args_digest = args_digest.value_or("");
  ASSIGN_OR_RETURN(auto preview, members.optional_string("preview"));
  options.preview = preview.value_or("");
  ASSIGN_OR_RETURN(auto ttl, members.optional_whole_number("approval_ttl_seconds"));
  options.ttl_seconds = ttl.value_or(ApprovalService::kDefaultTtlSeconds);
  if (const auto* claim = members.find("approval"); claim != nullptr && !claim->is_null()) {
    if (!claim->is_object())
      return invalid_member("approval", "approval must be an object with id and nonce");
    ASSIGN_OR_RETURN(auto fields, JsonMembers::of(*claim, {"id", "nonce"}));
    auto id = fields.required_string("id");
    auto nonce = fields.required_string("nonce");
    if (!id || !nonce)
      return invalid_member("approval", "approval needs id and nonce, both strings");
    options.claim = ApprovalClaim{std::move(*id), std::move(*nonce)};
  }
  RETURN_IF_ERROR(ApprovalService::validate(options));
  return options;
}

struct CheckRequest {
  Event event;
  CheckApprovalOptions approval;
};

Result<CheckRequest> decode_request(const json::value& body) {
  ASSIGN_OR_RETURN(auto event, decode_check(body));
  ASSIGN_OR_RETURN(auto approval, decode_approval_options(body));
  return CheckRequest{std::move(event), std::move(approval)};
}

// The decision as recorded and answered: the policy's, or an approval's.
struct Verdict {
  PolicyDecision decision;
  std::optional<std::string> approval_id;  // the approval it cites
};

Verdict verdict_of(PolicyDecision decision, const DenialResolution& resolution,
                   const CheckApprovalOptions& options) {
  Verdict verdict{std::move(decision), std::nullopt};
  if (resolution.kind == DenialResolution::Kind::kAllowed) {
    verdict.decision = PolicyDecision{true, std::string("approval"), {}};
    verdict.approval_id = resolution.approval->id;
  } else if (resolution.kind == DenialResolution::Kind::kRefused) {
    verdict.decision.reason = resolution.reason;
    verdict.approval_id = options.claim->id;
  }
  return verdict;
}

// The decision joins the caller's metadata; the server's keys win, so a
// caller cannot claim a version or a grant.
void record_decision(Event& event, const Verdict& verdict, std::int64_t version) {
  const PolicyDecision& decision = verdict.decision;
  event.allowed = decision.allowed;
  event.action = decision.allowed ? "permission_check" : "permission_denied";
  json::object metadata = json::parse(event.metadata_json).as_object();
  metadata["policy_version"] = version;
  metadata.erase("matched");
  metadata.erase("reason");
  metadata.erase("approval_id");
  if (decision.matched)
    metadata["matched"] = *decision.matched;
  else
    metadata["reason"] = decision.reason;
  if (verdict.approval_id)
    metadata["approval_id"] = *verdict.approval_id;
  metadata["checked_by"] = "server";
  event.metadata_json = json::serialize(metadata);
}

json::object answer(const Event& event, const Verdict& verdict, std::string_view event_id,
                    std::int64_t version) {
  const PolicyDecision& decision = verdict.decision;
  json::object body{{"allowed", decision.allowed},
                    {"action", event.action},
                    {"event_id", event_id},
                    {"policy_version", version}};
  if (decision.matched)
    body["matched"] = *decision.matched;
  else
    body["reason"] = decision.reason;
  if (decision.allowed && verdict.approval_id)
    body["approval_id"] = *verdict.approval_id;
  return body;
}

// A new request for a person: the event is its approval_requested.
json::object requested_answer(const DenialResolution& resolution, std::int64_t version) {
  const Approval& approval = *resolution.approval;
  return {{"allowed", false},
          {"action", "approval_requested"},
          {"event_id", resolution.event_id},
          {"policy_version", version},
          {"reason", approval.denial_reason},
          {"approval", json::object{{"id", approval.id},
                                    {"status", to_string(approval.status)},
                                    {"expires_at", format_rfc3339(approval.expires_at)},
                                    {"nonce", resolution.nonce}}}};
}

}  // namespace

std::vector<ResourceRoute<CheckHandler>> CheckHandler::routes() {
  using http::Verb;
  return {
      route(Verb::post, "/v1/check", IngestHandler::kMaxEventBytes, Access::kApiKey,
            &CheckHandler::check),
  };
}

CheckHandler::CheckHandler(ProjectStore& projects, PolicyCache& policies, Ingestor& ingestor,
                           ApprovalService& approvals)
    : projects_(projects), policies_(policies), ingestor_(ingestor), approvals_(approvals) {}

Result<DenialResolution> CheckHandler::resolve_denial(const KeyOwner& owner, const Event& event,
                                                      const PolicyDecision& decision,
                                                      std::int64_t version,
                                                      const CheckApprovalOptions& options) {
  if (!options.claim && !options.request_on_denial)
    return DenialResolution{};
  // Past the quota no approval is spent nor asked for: the denial's event is
  // refused with 429 as before.
  if (auto quota = ingestor_.quota_status(owner); !quota || quota->remaining <= 0)
    return DenialResolution{};
  return approvals_.resolve_denial({owner.project_rowid, event.agent_name, *event.scope,
                                    event.function_name.value_or(""), decision.reason, version},
                                   options);
}

boost::asio::awaitable<Result<http::Response>> CheckHandler::check(const http::Request& request) {
  CO_ASSIGN_OR_RETURN(auto owner, authenticate_api_key(projects_, request["X-API-Key"]));
  auto call = [&]() -> Result<CheckRequest> {
    ASSIGN_OR_RETURN(auto body, parse_json_body(request));
    return decode_request(body);
  }();
  if (!call)
    co_return ingest_refusal(ingestor_, owner, call.error(), request);
  Event& event = call->event;
  CO_ASSIGN_OR_RETURN(auto policy, policies_.current(owner.project_rowid));

  PolicyDecision decision = policy->decide(event.agent_name, *event.scope);
  DenialResolution resolution;
  if (!decision.allowed) {
    CO_ASSIGN_OR_RETURN(resolution,
                        resolve_denial(owner, event, decision, policy->version(), call->approval));
  }
  if (resolution.kind == DenialResolution::Kind::kRequested) {
    http::Response response =
        json_response(200, requested_answer(resolution, policy->version()), request.version());
    if (auto quota = ingestor_.quota_status(owner))
      set_quota_headers(response, *quota);
    co_return response;
  }
  Verdict verdict = verdict_of(std::move(decision), resolution, call->approval);
  record_decision(event, verdict, policy->version());
  std::vector<Event> events;
  events.push_back(event);
  IngestOutcome outcome = co_await ingestor_.ingest(owner, std::move(events));
  if (outcome.error)
    co_return ingest_error_response(outcome, request);
  http::Response response =
      json_response(200, answer(event, verdict, outcome.batch.event_ids.front(), policy->version()),
                    request.version());
  set_quota_headers(response, *outcome.quota);
  co_return response;
}

}  // namespace agentsudo::server::api
