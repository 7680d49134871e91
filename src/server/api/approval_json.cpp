#include "server/api/approval_json.hpp"

#include "server/api/resource_json.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

json::value text_or_null(const std::string& text) {
  if (text.empty())
    return nullptr;
  return json::value(text);
}

std::optional<UnixMicros> decided_at(const Approval& approval) {
  if (approval.decided_at == 0)
    return std::nullopt;
  return approval.decided_at;
}

}  // namespace

json::object approval_item_json(const Approval& approval) {
  return {{"id", approval.id},
          {"agent_name", approval.agent_name},
          {"scope", approval.scope},
          {"function_name", text_or_null(approval.function_name)},
          {"args_digest", text_or_null(approval.args_digest)},
          {"preview", text_or_null(approval.preview)},
          {"denial_reason", approval.denial_reason},
          {"status", to_string(approval.status)},
          {"requested_at", format_rfc3339(approval.requested_at)},
          {"expires_at", format_rfc3339(approval.expires_at)},
          {"decided_by", text_or_null(approval.decided_by)},
          {"decided_at", time_or_null(decided_at(approval))},
          {"reason", text_or_null(approval.decision_reason)},
          {"grant_until", time_or_null(approval.grant_until)},
          {"spent_at", time_or_null(approval.spent_at)}};
}

json::object approval_status_json(const Approval& approval) {
  json::object body{{"id", approval.id},
                    {"status", to_string(approval.status)},
                    {"agent_name", approval.agent_name},
                    {"scope", approval.scope},
                    {"function_name", text_or_null(approval.function_name)},
                    {"expires_at", format_rfc3339(approval.expires_at)}};
  if (!approval.decided_by.empty())
    body["decided_by"] = approval.decided_by;
  if (auto at = decided_at(approval))
    body["decided_at"] = format_rfc3339(*at);
  if (!approval.decision_reason.empty())
    body["reason"] = approval.decision_reason;
  if (approval.grant_until)
    body["grant_until"] = format_rfc3339(*approval.grant_until);
  return body;
}

}  // namespace agentsudo::server::api
