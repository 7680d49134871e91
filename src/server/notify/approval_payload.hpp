#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/timestamp.hpp"
#include "server/model/approval.hpp"
#include "server/model/webhook.hpp"

namespace agentsudo::server {

// The bodies webhooks receive (docs/WEBHOOKS.md): our JSON, or a Slack
// incoming-webhook message with a link to the request in the dashboard.
// Pure functions of their arguments; thread-safe.
class ApprovalPayload {
 public:
  static constexpr std::string_view kPing = "ping";

  // approval.requested for a pending approval, else approval.granted,
  // approval.denied or approval.expired.
  static std::string_view event_type(ApprovalStatus status);

  // The approval as the management API lists it: times RFC 3339, null when unset.
  static boost::json::object item_json(const Approval& approval);

  // Where a person decides: <public_url>/approvals?id=<id>.
  static std::string dashboard_url(std::string_view public_url, std::string_view approval_id);

  // The body of one delivery of `approval` to a webhook of `format`.
  static std::string approval_body(WebhookFormat format, const Approval& approval,
                                   std::string_view delivery_id, UnixMicros created_at,
                                   std::string_view public_url);

  // The body of the test delivery of `webhook` (event type "ping").
  static std::string ping_body(const Webhook& webhook, std::string_view project_id,
                               std::string_view delivery_id, UnixMicros created_at);
};

}  // namespace agentsudo::server
