#pragma once

#include <memory>
#include <string>

#include "server/store/postgres/connection_pool.hpp"
#include "server/store/webhook_store.hpp"

namespace agentsudo::server::postgres {

// WebhookStore on PostgreSQL: tables webhooks and webhook_deliveries. Each
// webhook keeps its newest kKeptDeliveries finished deliveries.
//
// Several nodes' dispatchers read one outbox: due_deliveries() claims what
// it returns for kClaimLease (claimed_by, claimed_until), so no other node
// sends a delivery while this one may be sending it. The claim ends with
// record_attempt(), when this store closes (a clean shutdown: the
// dispatcher has dropped its POSTs by then), or when the lease runs out
// (the node died): another node then sends it again, so a receiver may see
// a delivery twice and tells by its id (at least once, as before).
// Thread-safe.
class PgWebhookStore final : public WebhookStore {
 public:
  static constexpr std::int64_t kKeptDeliveries = 1000;
  // Well beyond one POST (WebhookTransport::kTimeout, 5 s); a live node
  // renews its claims each time it asks what is due.
  static constexpr UnixMicros kClaimLease = 30'000'000;

  explicit PgWebhookStore(std::shared_ptr<ConnectionPool> pool);
  ~PgWebhookStore() override;
  PgWebhookStore(const PgWebhookStore&) = delete;
  PgWebhookStore& operator=(const PgWebhookStore&) = delete;

  Result<Webhook> create_webhook(std::int64_t project_rowid, const NewWebhook& webhook,
                                 std::size_t max_per_project) override;
  Result<std::vector<Webhook>> list_webhooks(std::int64_t project_rowid) override;
  Status delete_webhook(std::int64_t project_rowid, std::string_view webhook_id) override;
  Result<std::vector<std::string>> enqueue_for_project(std::int64_t project_rowid,
                                                       std::string_view type, UnixMicros now,
                                                       const DeliveryBodyRenderer& render) override;
  Result<std::string> enqueue_for_webhook(std::int64_t project_rowid, std::string_view webhook_id,
                                          std::string_view type, UnixMicros now,
                                          const DeliveryBodyRenderer& render) override;
  Result<std::vector<DueDelivery>> due_deliveries(UnixMicros now, std::size_t limit) override;
  Result<std::optional<UnixMicros>> next_due_at() override;
  Status record_attempt(std::string_view delivery_id, const DeliveryAttempt& attempt) override;
  Result<std::vector<WebhookDelivery>> list_deliveries(std::int64_t project_rowid,
                                                       std::string_view webhook_id,
                                                       std::size_t limit) override;

 private:
  Status release_claims();

  std::shared_ptr<ConnectionPool> pool_;
  std::string claimer_;  // this store's own id in claimed_by; new at each start
};

}  // namespace agentsudo::server::postgres
