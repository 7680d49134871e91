#include "server/store/postgres/postgres_store.hpp"

#include <cstdlib>
#include <memory>

#include "server/store/postgres/connection_pool.hpp"
#include "server/store/postgres/errors.hpp"
#include "server/store/postgres/pg_account_store.hpp"
#include "server/store/postgres/pg_agent_store.hpp"
#include "server/store/postgres/pg_analytics_store.hpp"
#include "server/store/postgres/pg_approval_store.hpp"
#include "server/store/postgres/pg_audit_log.hpp"
#include "server/store/postgres/pg_change_feed.hpp"
#include "server/store/postgres/pg_delivery_store.hpp"
#include "server/store/postgres/pg_event_retention.hpp"
#include "server/store/postgres/pg_event_store.hpp"
#include "server/store/postgres/pg_login_failure_store.hpp"
#include "server/store/postgres/pg_project_store.hpp"
#include "server/store/postgres/pg_webhook_store.hpp"
#include "server/store/postgres/schema.hpp"
#include "server/store/postgres/shared_generation.hpp"

namespace agentsudo::server::postgres {

std::string describe_database(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (!options) {
    PQfreemem(error);
    return "a PostgreSQL database (unreadable URL)";
  }
  std::string dbname, host;
  for (auto* option = options; option->keyword; ++option) {
    if (!option->val)
      continue;
    if (std::string_view(option->keyword) == "dbname")
      dbname = option->val;
    else if (std::string_view(option->keyword) == "host")
      host = option->val;
  }
  PQconninfoFree(options);
  return "PostgreSQL database " + (dbname.empty() ? std::string("(default)") : dbname) + " on " +
         (host.empty() ? std::string("the default host") : host);
}

Result<StoreSet> open_postgres_store(const std::string& url, const std::filesystem::path& key_dir,
                                     std::size_t readers) {
  std::error_code ec;
  std::filesystem::create_directories(key_dir, ec);
  if (ec) {
    return make_error(ErrorKind::kInternal,
                      "cannot create data directory " + key_dir.string() + ": " + ec.message());
  }
  auto key = audit::SigningKey::load_or_create(key_dir / audit::SigningKey::kFileName);
  if (!key)
    return key.error();
  auto signing_key = std::make_shared<const audit::SigningKey>(std::move(*key));
  return translate_errors("open the PostgreSQL store", [&]() -> Result<StoreSet> {
    auto writer = Connection::open(url);
    if (auto migrated = migrate(*writer); !migrated)
      return migrated.error();
    auto pool = std::make_shared<ConnectionPool>(url, readers);
    StoreSet store;
    store.credentials_generation = std::make_shared<SharedGeneration>();
    store.projects = std::make_unique<PgProjectStore>(pool, store.credentials_generation);
    store.signing_key = signing_key;
    store.changes = std::make_unique<PgChangeFeed>(url);
    // The chain's cost is measured against a server without it
    // (bench/audit_chain.sh); nothing else may turn it off.
    bool chain_events = std::getenv("AGENTSUDO_BENCH_UNCHAINED_EVENTS") == nullptr;
    store.events =
        std::make_unique<PgEventStore>(Connection::open(url), pool, signing_key, chain_events);
    store.audit = std::make_unique<PgAuditLog>(pool);
    store.retention = std::make_unique<PgEventRetention>(pool);
    store.analytics = std::make_unique<PgAnalyticsStore>(pool);
    store.delivery = std::make_unique<PgDeliveryStore>(pool);
    store.accounts = std::make_unique<PgAccountStore>(pool);
    store.agents = std::make_unique<PgAgentStore>(pool);
    store.login_failures = std::make_unique<PgLoginFailureStore>(pool);
    store.approvals = std::make_unique<PgApprovalStore>(pool);
    store.webhooks = std::make_unique<PgWebhookStore>(pool);
    return store;
  });
}

}  // namespace agentsudo::server::postgres
