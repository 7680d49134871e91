#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/timestamp.hpp"

namespace agentsudo::server {

// What a webhook's receiver gets: our signed JSON, or a Slack incoming-webhook
// message.
enum class WebhookFormat { kJson, kSlack };

inline const char* to_string(WebhookFormat format) {
  return format == WebhookFormat::kSlack ? "slack" : "json";
}

// A URL of a project that the server POSTs approval notifications to.
struct Webhook {
  std::string id;  // public, UUIDv7
  std::int64_t project_rowid = 0;
  std::string url;
  WebhookFormat format = WebhookFormat::kJson;
  // The HMAC key of the signatures, "whsec_..."; kept as is because signing
  // needs it back, shown to people only in the answer that created it.
  std::string secret;
  UnixMicros created_at = 0;
};

// One notification to one webhook: the outbox entry and its log line.
struct WebhookDelivery {
  std::string id;  // public, UUIDv7; receivers dedupe by it
  std::string webhook_id;
  std::string type;     // approval.requested, ..., or ping
  std::string payload;  // the body, fixed when enqueued, so retries send the same bytes
  std::int64_t attempts = 0;
  // When the next attempt is due; unset once delivered or given up.
  std::optional<UnixMicros> next_attempt_at;
  std::optional<std::int64_t> last_status;  // the receiver's HTTP status, if it answered
  std::string last_error;                   // why the last attempt failed, or empty
  std::optional<UnixMicros> delivered_at;
  UnixMicros created_at = 0;
};

}  // namespace agentsudo::server
