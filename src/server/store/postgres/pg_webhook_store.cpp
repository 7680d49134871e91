#include "server/store/postgres/pg_webhook_store.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/uuid.hpp"
#include "server/store/postgres/errors.hpp"

namespace agentsudo::server::postgres {

namespace {

constexpr const char* kWebhookColumns = "id, uuid, project_id, url, format, secret, created_at";
constexpr const char* kDeliveryColumns =
    "d.uuid, w.uuid, d.type, d.payload, d.attempts, d.next_attempt_at, d.last_status, "
    "d.last_error, d.delivered_at, d.created_at";

struct WebhookRow {
  std::int64_t rowid = 0;
  Webhook webhook;
};

WebhookRow read_webhook(const Rows& rows, int row) {
  WebhookRow read;
  read.rowid = rows.int64(row, 0);
  read.webhook.id = rows.string(row, 1);
  read.webhook.project_rowid = rows.int64(row, 2);
  read.webhook.url = rows.string(row, 3);
  read.webhook.format = rows.text(row, 4) == "slack" ? WebhookFormat::kSlack : WebhookFormat::kJson;
  read.webhook.secret = rows.string(row, 5);
  read.webhook.created_at = rows.int64(row, 6);
  return read;
}

WebhookDelivery read_delivery(const Rows& rows, int row) {
  WebhookDelivery delivery;
  delivery.id = rows.string(row, 0);
  delivery.webhook_id = rows.string(row, 1);
  delivery.type = rows.string(row, 2);
  delivery.payload = rows.string(row, 3);
  delivery.attempts = rows.int64(row, 4);
  delivery.next_attempt_at = rows.optional_int64(row, 5);
  delivery.last_status = rows.optional_int64(row, 6);
  delivery.last_error = rows.optional_text(row, 7).value_or("");
  delivery.delivered_at = rows.optional_int64(row, 8);
  delivery.created_at = rows.int64(row, 9);
  return delivery;
}

Error webhook_not_found(std::string_view webhook_id) {
  return make_error(ErrorKind::kNotFound, "no webhook with id " + std::string(webhook_id));
}

std::vector<WebhookRow> read_webhooks(const Rows& rows) {
  std::vector<WebhookRow> webhooks;
  for (int row = 0; row < rows.size(); ++row)
    webhooks.push_back(read_webhook(rows, row));
  return webhooks;
}

// `lock` is appended to the query: FOR KEY SHARE when deliveries will be
// written to the webhook, so that a delete on another node waits for them
// (and then removes them) instead of failing their foreign key.
std::optional<WebhookRow> find_webhook(Connection& conn, std::int64_t project_rowid,
                                       std::string_view webhook_id, const char* lock = "") {
  auto rows = conn.exec(std::string("SELECT ") + kWebhookColumns +
                            " FROM webhooks WHERE project_id = $1 AND uuid = $2" + lock,
                        Params().add(project_rowid).add(webhook_id));
  if (rows.empty())
    return std::nullopt;
  return read_webhook(rows, 0);
}

// Inserts one delivery to `row`'s webhook, then trims the webhook's log of
// finished deliveries to the newest kKeptDeliveries.
std::string insert_delivery(Connection& conn, const WebhookRow& row, std::string_view type,
                            UnixMicros now, const DeliveryBodyRenderer& render) {
  std::string delivery_id = make_uuid_v7(now / 1000);
  conn.exec(
      "INSERT INTO webhook_deliveries (uuid, webhook_id, project_id, type, payload, attempts, "
      "next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
      Params()
          .add(std::string_view(delivery_id))
          .add(row.rowid)
          .add(row.webhook.project_rowid)
          .add(type)
          .add(std::string_view(render(row.webhook, delivery_id, now)))
          .add(now));
  conn.exec(
      "DELETE FROM webhook_deliveries WHERE webhook_id = $1 AND next_attempt_at IS NULL AND id < "
      "(SELECT id FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT 1 "
      "OFFSET $2)",
      Params().add(row.rowid).add(PgWebhookStore::kKeptDeliveries - 1));
  return delivery_id;
}

// Serializes the project's webhook creations on every node until the
// transaction ends, so that counting and inserting hold the limit together.
// NO KEY UPDATE (PostgreSQL's weaker row lock) leaves the foreign key
// checks of concurrent inserts into the project's other tables alone.
void lock_project_webhooks(Connection& conn, std::int64_t project_rowid) {
  conn.exec("SELECT id FROM projects WHERE id = $1 FOR NO KEY UPDATE", Params().add(project_rowid));
}

std::optional<std::string> unless_empty(const std::string& text) {
  if (text.empty())
    return std::nullopt;
  return text;
}

std::string new_claimer() {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  return make_uuid_v7(millis);
}

}  // namespace

PgWebhookStore::PgWebhookStore(std::shared_ptr<ConnectionPool> pool)
    : pool_(std::move(pool)), claimer_(new_claimer()) {}

PgWebhookStore::~PgWebhookStore() {
  // A restarted node has a new claimer id: without this, what it had in
  // flight would wait out the lease before anyone sent it again.
  if (auto released = release_claims(); !released)
    spdlog::warn("webhook deliveries stay claimed until their lease ends: {}",
                 released.error().message);
}

Status PgWebhookStore::release_claims() {
  return translate_errors("release webhook delivery claims", [&]() -> Status {
    auto conn = pool_->acquire();
    conn->exec(
        "UPDATE webhook_deliveries SET claimed_by = NULL, claimed_until = NULL "
        "WHERE claimed_by = $1",
        Params().add(std::string_view(claimer_)));
    return {};
  });
}

Result<Webhook> PgWebhookStore::create_webhook(std::int64_t project_rowid,
                                               const NewWebhook& webhook,
                                               std::size_t max_per_project) {
  return translate_errors("create webhook", [&]() -> Result<Webhook> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    lock_project_webhooks(*conn, project_rowid);
    auto count = conn->exec("SELECT count(*) FROM webhooks WHERE project_id = $1",
                            Params().add(project_rowid));
    if (count.int64(0, 0) >= static_cast<std::int64_t>(max_per_project)) {
      return make_error(ErrorKind::kConflict,
                        "a project holds at most " + std::to_string(max_per_project) + " webhooks");
    }
    Webhook created;
    created.created_at = webhook.created_at;
    created.id = make_uuid_v7(created.created_at / 1000);
    created.project_rowid = project_rowid;
    created.url = webhook.url;
    created.format = webhook.format;
    created.secret = webhook.secret;
    conn->exec(
        "INSERT INTO webhooks (uuid, project_id, url, format, secret, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        Params()
            .add(std::string_view(created.id))
            .add(project_rowid)
            .add(std::string_view(created.url))
            .add(to_string(created.format))
            .add(std::string_view(created.secret))
            .add(created.created_at));
    tx.commit();
    return created;
  });
}

Result<std::vector<Webhook>> PgWebhookStore::list_webhooks(std::int64_t project_rowid) {
  return translate_errors("list webhooks", [&]() -> Result<std::vector<Webhook>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(std::string("SELECT ") + kWebhookColumns +
                               " FROM webhooks WHERE project_id = $1 ORDER BY id",
                           Params().add(project_rowid));
    std::vector<Webhook> webhooks;
    for (auto& row : read_webhooks(rows))
      webhooks.push_back(std::move(row.webhook));
    return webhooks;
  });
}

Status PgWebhookStore::delete_webhook(std::int64_t project_rowid, std::string_view webhook_id) {
  return translate_errors("delete webhook", [&]() -> Status {
    auto conn = pool_->acquire();
    auto removed = conn->exec("DELETE FROM webhooks WHERE project_id = $1 AND uuid = $2",
                              Params().add(project_rowid).add(webhook_id));
    if (removed.affected() == 0)
      return webhook_not_found(webhook_id);
    return {};
  });
}

Result<std::vector<std::string>> PgWebhookStore::enqueue_for_project(
    std::int64_t project_rowid, std::string_view type, UnixMicros now,
    const DeliveryBodyRenderer& render) {
  return translate_errors("enqueue webhook deliveries", [&]() -> Result<std::vector<std::string>> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    // FOR KEY SHARE: see find_webhook.
    auto rows = conn->exec(std::string("SELECT ") + kWebhookColumns +
                               " FROM webhooks WHERE project_id = $1 ORDER BY id FOR KEY SHARE",
                           Params().add(project_rowid));
    std::vector<std::string> ids;
    for (const auto& webhook : read_webhooks(rows))
      ids.push_back(insert_delivery(*conn, webhook, type, now, render));
    tx.commit();
    return ids;
  });
}

Result<std::string> PgWebhookStore::enqueue_for_webhook(std::int64_t project_rowid,
                                                        std::string_view webhook_id,
                                                        std::string_view type, UnixMicros now,
                                                        const DeliveryBodyRenderer& render) {
  return translate_errors("enqueue a webhook delivery", [&]() -> Result<std::string> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    auto webhook = find_webhook(*conn, project_rowid, webhook_id, " FOR KEY SHARE");
    if (!webhook)
      return webhook_not_found(webhook_id);
    auto id = insert_delivery(*conn, *webhook, type, now, render);
    tx.commit();
    return id;
  });
}

Result<std::vector<DueDelivery>> PgWebhookStore::due_deliveries(UnixMicros now, std::size_t limit) {
  return translate_errors(
      "claim due webhook deliveries", [&]() -> Result<std::vector<DueDelivery>> {
        auto conn = pool_->acquire();
        Transaction tx(*conn);
        // What no other node holds: unclaimed, its lease run out, or already
        // ours (in flight here; the dispatcher skips those). SKIP LOCKED
        // (PostgreSQL's, not plain SQL) passes over what another node is
        // claiming this instant instead of waiting for it.
        auto rows = conn->exec(
            std::string("SELECT ") + kDeliveryColumns +
                ", w.url, w.secret, d.id FROM webhook_deliveries d JOIN webhooks w ON "
                "w.id = d.webhook_id WHERE d.next_attempt_at IS NOT NULL AND d.next_attempt_at <= "
                "$1 "
                "AND (d.claimed_until IS NULL OR d.claimed_until <= $1 OR d.claimed_by = $2) "
                "ORDER BY d.next_attempt_at, d.id LIMIT $3 FOR UPDATE OF d SKIP LOCKED",
            Params()
                .add(now)
                .add(std::string_view(claimer_))
                .add(static_cast<std::int64_t>(limit)));
        std::vector<DueDelivery> due;
        for (int row = 0; row < rows.size(); ++row) {
          conn->exec(
              "UPDATE webhook_deliveries SET claimed_by = $1, claimed_until = $2 WHERE id = $3",
              Params()
                  .add(std::string_view(claimer_))
                  .add(now + kClaimLease)
                  .add(rows.int64(row, 12)));
          due.push_back({read_delivery(rows, row), rows.string(row, 10), rows.string(row, 11)});
        }
        tx.commit();
        return due;
      });
}

Result<std::optional<UnixMicros>> PgWebhookStore::next_due_at() {
  return translate_errors("read the next webhook delivery",
                          [&]() -> Result<std::optional<UnixMicros>> {
                            auto conn = pool_->acquire();
                            // Another node's claim holds a delivery back until
                            // its lease ends.
                            auto rows = conn->exec(
                                "SELECT min(CASE WHEN claimed_by <> $1 AND claimed_until > "
                                "next_attempt_at THEN claimed_until ELSE next_attempt_at END) "
                                "FROM webhook_deliveries WHERE next_attempt_at IS NOT NULL",
                                Params().add(std::string_view(claimer_)));
                            return rows.optional_int64(0, 0);
                          });
}

Status PgWebhookStore::record_attempt(std::string_view delivery_id,
                                      const DeliveryAttempt& attempt) {
  return translate_errors("record a webhook delivery attempt", [&]() -> Status {
    auto conn = pool_->acquire();
    std::optional<UnixMicros> delivered_at;
    if (attempt.delivered)
      delivered_at = attempt.finished_at;
    conn->exec(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $1, "
        "last_error = $2, delivered_at = $3, next_attempt_at = $4, claimed_by = NULL, "
        "claimed_until = NULL WHERE uuid = $5",
        Params()
            .add(attempt.status)
            .add(unless_empty(attempt.error))
            .add(delivered_at)
            .add(attempt.next_attempt_at)
            .add(delivery_id));
    return {};
  });
}

Result<std::vector<WebhookDelivery>> PgWebhookStore::list_deliveries(std::int64_t project_rowid,
                                                                     std::string_view webhook_id,
                                                                     std::size_t limit) {
  return translate_errors("list webhook deliveries", [&]() -> Result<std::vector<WebhookDelivery>> {
    auto conn = pool_->acquire();
    auto webhook = find_webhook(*conn, project_rowid, webhook_id);
    if (!webhook)
      return webhook_not_found(webhook_id);
    auto rows = conn->exec(std::string("SELECT ") + kDeliveryColumns +
                               " FROM webhook_deliveries d JOIN webhooks w ON w.id = "
                               "d.webhook_id WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT $2",
                           Params().add(webhook->rowid).add(static_cast<std::int64_t>(limit)));
    std::vector<WebhookDelivery> deliveries;
    for (int row = 0; row < rows.size(); ++row)
      deliveries.push_back(read_delivery(rows, row));
    return deliveries;
  });
}

}  // namespace agentsudo::server::postgres
