#include "event_json.hpp"

#include "text_field.hpp"

namespace agentsudo {
namespace {

// The server's limits on event fields (docs/API.md).
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxScopeBytes = 256;
constexpr std::size_t kMaxMetadataStringBytes = 256;

const char* to_string(OnDenial on_denial) {
  switch (on_denial) {
    case OnDenial::kRaise:
      return "raise";
    case OnDenial::kLog:
      return "log";
    case OnDenial::kCallback:
      return "callback";
  }
  return "raise";
}

boost::json::object metadata_of(const EventRecord& event) {
  boost::json::object metadata;
  if (event.session) {
    metadata["role"] = to_field_text(event.session->agent.role(), kMaxMetadataStringBytes);
    metadata["session_id"] = event.session->id;
  }
  if (event.reason != DenialReason::kNone) metadata["reason"] = to_string(event.reason);
  if (event.site) metadata["on_denial"] = to_string(event.site->on_denial);
  if (event.guardrail) {
    metadata["rule"] = event.guardrail->rule;
    metadata["detail"] = to_field_text(event.guardrail->reason, kMaxMetadataStringBytes);
    metadata["preview"] = to_field_text(event.guardrail->text_preview, kMaxMetadataStringBytes);
  }
  return metadata;
}

}  // namespace

const char* to_string(EventAction action) noexcept {
  switch (action) {
    case EventAction::kPermissionCheck:
      return "permission_check";
    case EventAction::kPermissionDenied:
      return "permission_denied";
    case EventAction::kAuditViolation:
      return "audit_violation";
    case EventAction::kCallbackApproved:
      return "callback_approved";
    case EventAction::kCallbackDenied:
      return "callback_denied";
    case EventAction::kGuardrailViolation:
      return "guardrail_violation";
  }
  return "permission_check";
}

boost::json::object to_json(const EventRecord& event) {
  boost::json::object json;
  json["timestamp"] = format_rfc3339(event.timestamp);
  json["agent_name"] = event.session ? to_field_text(event.session->agent.name(), kMaxNameBytes)
                                     : std::string(kNoSessionAgentName);
  json["action"] = to_string(event.action);
  if (auto scope = event.scope()) json["scope"] = to_field_text(*scope, kMaxScopeBytes);
  json["allowed"] = event.allowed;
  if (auto name = event.function_name()) {
    json["function_name"] = to_field_text(*name, kMaxScopeBytes);
  }
  json["metadata"] = metadata_of(event);
  return json;
}

}  // namespace agentsudo
