#include "server/store/sqlite/sqlite_store.hpp"

#include <cstdlib>
#include <memory>
#include <system_error>

#include "server/store/sqlite/connection_pool.hpp"
#include "server/store/sqlite/generation_file.hpp"
#include "server/store/sqlite/schema.hpp"
#include "server/store/sqlite/sqlite_account_store.hpp"
#include "server/store/sqlite/sqlite_agent_store.hpp"
#include "server/store/sqlite/sqlite_analytics_store.hpp"
#include "server/store/sqlite/sqlite_approval_store.hpp"
#include "server/store/sqlite/sqlite_audit_log.hpp"
#include "server/store/sqlite/sqlite_delivery_store.hpp"
#include "server/store/sqlite/sqlite_event_retention.hpp"
#include "server/store/sqlite/sqlite_event_store.hpp"
#include "server/store/sqlite/sqlite_project_store.hpp"
#include "server/store/sqlite/sqlite_webhook_store.hpp"

namespace agentsudo::server::sqlite {

std::filesystem::path database_file(const std::filesystem::path& data_dir) {
  return data_dir / "agentsudo.db";
}

Result<StoreSet> open_sqlite_store(const std::filesystem::path& data_dir, std::size_t readers) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return make_error(ErrorKind::kInternal,
                      "cannot create data directory " + data_dir.string() + ": " + ec.message());
  }
  auto generation = GenerationFile::open(data_dir / "credentials.generation");
  if (!generation)
    return generation.error();
  auto key = audit::SigningKey::load_or_create(data_dir / audit::SigningKey::kFileName);
  if (!key)
    return key.error();
  auto signing_key = std::make_shared<const audit::SigningKey>(std::move(*key));
  auto file = database_file(data_dir);
  try {
    auto writer = Database::open(file);
    migrate(*writer);
    auto pool = std::make_shared<ConnectionPool>(file, readers);
    StoreSet store;
    store.credentials_generation = *generation;
    store.projects = std::make_unique<SqliteProjectStore>(Database::open(file), pool, *generation);
    store.signing_key = signing_key;
    // The chain's cost is measured against a server without it
    // (bench/audit_chain.sh); nothing else may turn it off.
    bool chain_events = std::getenv("AGENTSUDO_BENCH_UNCHAINED_EVENTS") == nullptr;
    store.events =
        std::make_unique<SqliteEventStore>(std::move(writer), pool, signing_key, chain_events);
    store.audit = std::make_unique<SqliteAuditLog>(pool);
    store.retention = std::make_unique<SqliteEventRetention>(Database::open(file));
    store.accounts = std::make_unique<SqliteAccountStore>(Database::open(file), pool);
    store.agents = std::make_unique<SqliteAgentStore>(Database::open(file), pool);
    store.analytics = std::make_unique<SqliteAnalyticsStore>(pool);
    store.delivery = std::make_unique<SqliteDeliveryStore>(pool);
    store.approvals = std::make_unique<SqliteApprovalStore>(Database::open(file), pool);
    store.webhooks = std::make_unique<SqliteWebhookStore>(Database::open(file), pool);
    return store;
  } catch (const SqliteError& e) {
    return make_error(ErrorKind::kInternal, "cannot open " + file.string() + ": " + e.what());
  }
}

}  // namespace agentsudo::server::sqlite
