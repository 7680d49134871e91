#include "server/notify/approval_payload.hpp"

#include <boost/json/serialize.hpp>

namespace agentsudo::server {
namespace json = boost::json;

namespace {

json::value text_or_null(const std::string& text) {
  if (text.empty())
    return nullptr;
  return json::value(text);
}

json::value time_or_null(std::optional<UnixMicros> time) {
  if (!time || *time == 0)
    return nullptr;
  return json::value(format_rfc3339(*time));
}

// Slack reads &, < and > as markup in message text.
std::string slack_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

std::string_view headline(std::string_view type) {
  if (type == "approval.granted")
    return "Approval granted";
  if (type == "approval.denied")
    return "Approval denied";
  if (type == "approval.expired")
    return "Approval expired";
  return "Approval requested";
}

std::string slack_text(const Approval& approval, std::string_view type,
                       std::string_view public_url) {
  std::string text = "*" + std::string(headline(type)) + "*";
  text += "\nAgent: " + slack_escaped(approval.agent_name);
  text += "\nScope: " + slack_escaped(approval.scope);
  if (!approval.function_name.empty())
    text += "\nFunction: " + slack_escaped(approval.function_name);
  text += "\nStatus: " + std::string(to_string(approval.status));
  if (!approval.decided_by.empty()) {
    text += "\nDecided by: " + slack_escaped(approval.decided_by);
    if (!approval.decision_reason.empty())
      text += " (" + slack_escaped(approval.decision_reason) + ")";
  }
  text += "\n<" + ApprovalPayload::dashboard_url(public_url, approval.id) +
          "|Open in the AgentSudo dashboard>";
  return text;
}

}  // namespace

std::string_view ApprovalPayload::event_type(ApprovalStatus status) {
  switch (status) {
    case ApprovalStatus::kApproved:
      return "approval.granted";
    case ApprovalStatus::kDenied:
      return "approval.denied";
    case ApprovalStatus::kExpired:
      return "approval.expired";
    case ApprovalStatus::kPending:
      break;
  }
  return "approval.requested";
}

json::object ApprovalPayload::item_json(const Approval& approval) {
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
          {"decided_at", time_or_null(approval.decided_at)},
          {"reason", text_or_null(approval.decision_reason)},
          {"grant_until", time_or_null(approval.grant_until)},
          {"spent_at", time_or_null(approval.spent_at)}};
}

std::string ApprovalPayload::dashboard_url(std::string_view public_url,
                                           std::string_view approval_id) {
  return std::string(public_url) + "/approvals?id=" + std::string(approval_id);
}

std::string ApprovalPayload::approval_body(WebhookFormat format, const Approval& approval,
                                           std::string_view delivery_id, UnixMicros created_at,
                                           std::string_view public_url) {
  std::string_view type = event_type(approval.status);
  if (format == WebhookFormat::kSlack)
    return json::serialize(json::object{{"text", slack_text(approval, type, public_url)}});
  return json::serialize(json::object{{"id", delivery_id},
                                      {"type", type},
                                      {"created_at", format_rfc3339(created_at)},
                                      {"project_id", approval.project_id},
                                      {"approval", item_json(approval)},
                                      {"dashboard_url", dashboard_url(public_url, approval.id)}});
}

std::string ApprovalPayload::ping_body(const Webhook& webhook, std::string_view project_id,
                                       std::string_view delivery_id, UnixMicros created_at) {
  if (webhook.format == WebhookFormat::kSlack) {
    return json::serialize(json::object{{"text",
                                         "AgentSudo test message: this webhook receives approval "
                                         "notifications."}});
  }
  return json::serialize(json::object{{"id", delivery_id},
                                      {"type", kPing},
                                      {"created_at", format_rfc3339(created_at)},
                                      {"project_id", project_id},
                                      {"webhook_id", webhook.id}});
}

}  // namespace agentsudo::server
