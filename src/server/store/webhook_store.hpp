#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/timestamp.hpp"
#include "server/model/error.hpp"
#include "server/model/webhook.hpp"

namespace agentsudo::server {

// What creating a webhook stores; the secret is already minted.
struct NewWebhook {
  std::string url;
  WebhookFormat format = WebhookFormat::kJson;
  std::string secret;
  UnixMicros created_at = 0;
};

// The body of one delivery to `webhook`, given the delivery's id and time.
using DeliveryBodyRenderer = std::function<std::string(
    const Webhook& webhook, const std::string& delivery_id, UnixMicros created_at)>;

// A delivery that is due, with what sending it needs from its webhook.
struct DueDelivery {
  WebhookDelivery delivery;
  std::string url;
  std::string secret;
};

// How one attempt ended. `next_attempt_at` unset: no further attempt
// (delivered, or given up).
struct DeliveryAttempt {
  std::optional<std::int64_t> status;  // the receiver's HTTP status, if it answered
  std::string error;                   // empty when delivered
  bool delivered = false;
  UnixMicros finished_at = 0;
  std::optional<UnixMicros> next_attempt_at;
};

// A project's webhooks and their deliveries: the durable outbox the
// dispatcher sends from, and the log people read. Implementations are
// thread-safe.
class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // kConflict when the project already holds `max_per_project` webhooks.
  virtual Result<Webhook> create_webhook(std::int64_t project_rowid, const NewWebhook& webhook,
                                         std::size_t max_per_project) = 0;
  // Oldest first.
  virtual Result<std::vector<Webhook>> list_webhooks(std::int64_t project_rowid) = 0;
  // Deletes the webhook with its deliveries. kNotFound for an unknown id or
  // one of another project.
  virtual Status delete_webhook(std::int64_t project_rowid, std::string_view webhook_id) = 0;

  // In one transaction, one delivery of `type` per webhook of the project,
  // each due at `now`; returns their ids (none when the project has no
  // webhook).
  virtual Result<std::vector<std::string>> enqueue_for_project(
      std::int64_t project_rowid, std::string_view type, UnixMicros now,
      const DeliveryBodyRenderer& render) = 0;
  // One delivery to one webhook; kNotFound as for delete_webhook.
  virtual Result<std::string> enqueue_for_webhook(std::int64_t project_rowid,
                                                  std::string_view webhook_id,
                                                  std::string_view type, UnixMicros now,
                                                  const DeliveryBodyRenderer& render) = 0;

  // Undelivered deliveries due at `now`, the longest waiting first; at most `limit`.
  virtual Result<std::vector<DueDelivery>> due_deliveries(UnixMicros now, std::size_t limit) = 0;
  // When the earliest undelivered delivery is due, if any is.
  virtual Result<std::optional<UnixMicros>> next_due_at() = 0;
  virtual Status record_attempt(std::string_view delivery_id, const DeliveryAttempt& attempt) = 0;

  // The webhook's deliveries, newest first; at most `limit`. kNotFound as
  // for delete_webhook.
  virtual Result<std::vector<WebhookDelivery>> list_deliveries(std::int64_t project_rowid,
                                                               std::string_view webhook_id,
                                                               std::size_t limit) = 0;
};

}  // namespace agentsudo::server
