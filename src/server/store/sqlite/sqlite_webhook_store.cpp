#include "server/store/sqlite/sqlite_webhook_store.hpp"

#include "core/uuid.hpp"

namespace agentsudo::server::sqlite {

namespace {

constexpr const char* kWebhookColumns = "id, uuid, project_id, url, format, secret, created_at";
constexpr const char* kDeliveryColumns =
    "d.uuid, w.uuid, d.type, d.payload, d.attempts, d.next_attempt_at, d.last_status, "
    "d.last_error, d.delivered_at, d.created_at";

struct WebhookRow {
  std::int64_t rowid = 0;
  Webhook webhook;
};

WebhookRow read_webhook(Statement& row) {
  WebhookRow read;
  read.rowid = row.column_int64(0);
  read.webhook.id = row.column_text(1);
  read.webhook.project_rowid = row.column_int64(2);
  read.webhook.url = row.column_text(3);
  read.webhook.format =
      row.column_text(4) == "slack" ? WebhookFormat::kSlack : WebhookFormat::kJson;
  read.webhook.secret = row.column_text(5);
  read.webhook.created_at = row.column_int64(6);
  return read;
}

std::optional<UnixMicros> optional_int(Statement& row, int column) {
  if (row.column_is_null(column))
    return std::nullopt;
  return row.column_int64(column);
}

WebhookDelivery read_delivery(Statement& row) {
  WebhookDelivery delivery;
  delivery.id = row.column_text(0);
  delivery.webhook_id = row.column_text(1);
  delivery.type = row.column_text(2);
  delivery.payload = row.column_text(3);
  delivery.attempts = row.column_int64(4);
  delivery.next_attempt_at = optional_int(row, 5);
  delivery.last_status = optional_int(row, 6);
  delivery.last_error = row.column_optional_text(7).value_or("");
  delivery.delivered_at = optional_int(row, 8);
  delivery.created_at = row.column_int64(9);
  return delivery;
}

Error webhook_not_found(std::string_view webhook_id) {
  return make_error(ErrorKind::kNotFound, "no webhook with id " + std::string(webhook_id));
}

std::optional<WebhookRow> find_webhook(Database& db, std::int64_t project_rowid,
                                       std::string_view webhook_id) {
  auto row = db.prepare_cached(std::string("SELECT ") + kWebhookColumns +
                               " FROM webhooks WHERE project_id = ? AND uuid = ?");
  row->bind(1, project_rowid);
  row->bind(2, webhook_id);
  if (!row->step())
    return std::nullopt;
  return read_webhook(*row);
}

// Inserts one delivery to `row`'s webhook, then trims the webhook's log of
// finished deliveries to the newest kKeptDeliveries.
std::string insert_delivery(Database& db, const WebhookRow& row, std::string_view type,
                            UnixMicros now, const DeliveryBodyRenderer& render) {
  std::string delivery_id = make_uuid_v7(now / 1000);
  auto insert = db.prepare_cached(
      "INSERT INTO webhook_deliveries (uuid, webhook_id, project_id, type, payload, attempts, "
      "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)");
  insert->bind(1, delivery_id);
  insert->bind(2, row.rowid);
  insert->bind(3, row.webhook.project_rowid);
  insert->bind(4, type);
  insert->bind(5, render(row.webhook, delivery_id, now));
  insert->bind(6, now);
  insert->bind(7, now);
  insert->run();
  auto trim = db.prepare_cached(
      "DELETE FROM webhook_deliveries WHERE webhook_id = ?1 AND next_attempt_at IS NULL AND id < "
      "(SELECT id FROM webhook_deliveries WHERE webhook_id = ?1 ORDER BY id DESC LIMIT 1 "
      "OFFSET ?2)");
  trim->bind(1, row.rowid);
  trim->bind(2, SqliteWebhookStore::kKeptDeliveries - 1);
  trim->run();
  return delivery_id;
}

}  // namespace

SqliteWebhookStore::SqliteWebhookStore(std::unique_ptr<Database> writer,
                                       std::shared_ptr<ConnectionPool> readers)
    : writer_(std::move(writer)), readers_(std::move(readers)) {}

Result<Webhook> SqliteWebhookStore::create_webhook(std::int64_t project_rowid,
                                                   const NewWebhook& webhook,
                                                   std::size_t max_per_project) {
  return translate_errors("create webhook", [&]() -> Result<Webhook> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    {
      auto count = writer_->prepare_cached("SELECT count(*) FROM webhooks WHERE project_id = ?");
      count->bind(1, project_rowid);
      count->step();
      if (count->column_int64(0) >= static_cast<std::int64_t>(max_per_project)) {
        return make_error(ErrorKind::kConflict, "a project holds at most " +
                                                    std::to_string(max_per_project) + " webhooks");
      }
    }
    Webhook created;
    created.created_at = webhook.created_at;
    created.id = make_uuid_v7(created.created_at / 1000);
    created.project_rowid = project_rowid;
    created.url = webhook.url;
    created.format = webhook.format;
    created.secret = webhook.secret;
    auto insert = writer_->prepare_cached(
        "INSERT INTO webhooks (uuid, project_id, url, format, secret, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    insert->bind(1, created.id);
    insert->bind(2, project_rowid);
    insert->bind(3, created.url);
    insert->bind(4, std::string_view(to_string(created.format)));
    insert->bind(5, created.secret);
    insert->bind(6, created.created_at);
    insert->run();
    tx.commit();
    return created;
  });
}

Result<std::vector<Webhook>> SqliteWebhookStore::list_webhooks(std::int64_t project_rowid) {
  return translate_errors("list webhooks", [&]() -> Result<std::vector<Webhook>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(std::string("SELECT ") + kWebhookColumns +
                                   " FROM webhooks WHERE project_id = ? ORDER BY id");
    rows->bind(1, project_rowid);
    std::vector<Webhook> webhooks;
    while (rows->step())
      webhooks.push_back(read_webhook(*rows).webhook);
    return webhooks;
  });
}

Status SqliteWebhookStore::delete_webhook(std::int64_t project_rowid, std::string_view webhook_id) {
  return translate_errors("delete webhook", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    auto remove = writer_->prepare_cached("DELETE FROM webhooks WHERE project_id = ? AND uuid = ?");
    remove->bind(1, project_rowid);
    remove->bind(2, webhook_id);
    remove->run();
    if (writer_->changes() == 0)
      return webhook_not_found(webhook_id);
    return {};
  });
}

Result<std::vector<std::string>> SqliteWebhookStore::enqueue_for_project(
    std::int64_t project_rowid, std::string_view type, UnixMicros now,
    const DeliveryBodyRenderer& render) {
  return translate_errors("enqueue webhook deliveries", [&]() -> Result<std::vector<std::string>> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    std::vector<WebhookRow> webhooks;
    {
      auto rows = writer_->prepare_cached(std::string("SELECT ") + kWebhookColumns +
                                          " FROM webhooks WHERE project_id = ? ORDER BY id");
      rows->bind(1, project_rowid);
      while (rows->step())
        webhooks.push_back(read_webhook(*rows));
    }
    std::vector<std::string> ids;
    for (const auto& webhook : webhooks)
      ids.push_back(insert_delivery(*writer_, webhook, type, now, render));
    tx.commit();
    return ids;
  });
}

Result<std::string> SqliteWebhookStore::enqueue_for_webhook(std::int64_t project_rowid,
                                                            std::string_view webhook_id,
                                                            std::string_view type, UnixMicros now,
                                                            const DeliveryBodyRenderer& render) {
  return translate_errors("enqueue a webhook delivery", [&]() -> Result<std::string> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    auto webhook = find_webhook(*writer_, project_rowid, webhook_id);
    if (!webhook)
      return webhook_not_found(webhook_id);
    auto id = insert_delivery(*writer_, *webhook, type, now, render);
    tx.commit();
    return id;
  });
}

Result<std::vector<DueDelivery>> SqliteWebhookStore::due_deliveries(UnixMicros now,
                                                                    std::size_t limit) {
  return translate_errors("read due webhook deliveries", [&]() -> Result<std::vector<DueDelivery>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(
        std::string("SELECT ") + kDeliveryColumns +
        ", w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
        "WHERE d.next_attempt_at IS NOT NULL AND d.next_attempt_at <= ? "
        "ORDER BY d.next_attempt_at, d.id LIMIT ?");
    rows->bind(1, now);
    rows->bind(2, static_cast<std::int64_t>(limit));
    std::vector<DueDelivery> due;
    while (rows->step()) {
      DueDelivery item{read_delivery(*rows), std::string(rows->column_text(10)),
                       std::string(rows->column_text(11))};
      due.push_back(std::move(item));
    }
    return due;
  });
}

Result<std::optional<UnixMicros>> SqliteWebhookStore::next_due_at() {
  return translate_errors("read the next webhook delivery",
                          [&]() -> Result<std::optional<UnixMicros>> {
                            auto db = readers_->acquire();
                            auto row = db->prepare_cached(
                                "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE "
                                "next_attempt_at IS NOT NULL");
                            row->step();
                            return optional_int(*row, 0);
                          });
}

Status SqliteWebhookStore::record_attempt(std::string_view delivery_id,
                                          const DeliveryAttempt& attempt) {
  return translate_errors("record a webhook delivery attempt", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    auto update = writer_->prepare_cached(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?, "
        "delivered_at = ?, next_attempt_at = ? WHERE uuid = ?");
    if (attempt.status)
      update->bind(1, *attempt.status);
    else
      update->bind_null(1);
    if (attempt.error.empty())
      update->bind_null(2);
    else
      update->bind(2, attempt.error);
    if (attempt.delivered)
      update->bind(3, attempt.finished_at);
    else
      update->bind_null(3);
    if (attempt.next_attempt_at)
      update->bind(4, *attempt.next_attempt_at);
    else
      update->bind_null(4);
    update->bind(5, delivery_id);
    update->run();
    return {};
  });
}

Result<std::vector<WebhookDelivery>> SqliteWebhookStore::list_deliveries(
    std::int64_t project_rowid, std::string_view webhook_id, std::size_t limit) {
  return translate_errors("list webhook deliveries", [&]() -> Result<std::vector<WebhookDelivery>> {
    auto db = readers_->acquire();
    auto webhook = find_webhook(*db, project_rowid, webhook_id);
    if (!webhook)
      return webhook_not_found(webhook_id);
    auto rows =
        db->prepare_cached(std::string("SELECT ") + kDeliveryColumns +
                           " FROM webhook_deliveries d JOIN webhooks w ON w.id = "
                           "d.webhook_id WHERE d.webhook_id = ? ORDER BY d.id DESC LIMIT ?");
    rows->bind(1, webhook->rowid);
    rows->bind(2, static_cast<std::int64_t>(limit));
    std::vector<WebhookDelivery> deliveries;
    while (rows->step())
      deliveries.push_back(read_delivery(*rows));
    return deliveries;
  });
}

}  // namespace agentsudo::server::sqlite
