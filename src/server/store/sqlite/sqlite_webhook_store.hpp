#pragma once

#include <memory>
#include <mutex>

#include "server/store/sqlite/connection_pool.hpp"
#include "server/store/sqlite/database.hpp"
#include "server/store/webhook_store.hpp"

namespace agentsudo::server::sqlite {

// WebhookStore on SQLite: tables webhooks and webhook_deliveries. Writes go
// through one connection under a mutex; reads borrow from the shared pool.
// Each webhook keeps its newest kKeptDeliveries finished deliveries.
// Thread-safe.
class SqliteWebhookStore final : public WebhookStore {
 public:
  static constexpr std::int64_t kKeptDeliveries = 1000;

  SqliteWebhookStore(std::unique_ptr<Database> writer, std::shared_ptr<ConnectionPool> readers);

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
  std::mutex write_mutex_;
  std::unique_ptr<Database> writer_;  // guarded by write_mutex_
  std::shared_ptr<ConnectionPool> readers_;
};

}  // namespace agentsudo::server::sqlite
