#pragma once

#include <filesystem>
#include <memory>

#include "server/model/error.hpp"
#include "server/store/account_store.hpp"
#include "server/store/agent_store.hpp"
#include "server/store/analytics_store.hpp"
#include "server/store/approval_store.hpp"
#include "server/store/audit_log.hpp"
#include "server/store/credentials_generation.hpp"
#include "server/store/delivery_store.hpp"
#include "server/store/event_store.hpp"
#include "server/store/project_store.hpp"
#include "server/store/webhook_store.hpp"

namespace agentsudo::server::sqlite {

// The embedded store: one SQLite file, `agentsudo.db`, in the data directory.
struct SqliteStore {
  std::unique_ptr<ProjectStore> projects;
  std::unique_ptr<EventStore> events;
  std::unique_ptr<AccountStore> accounts;
  std::unique_ptr<AgentStore> agents;
  std::unique_ptr<AnalyticsStore> analytics;
  std::unique_ptr<DeliveryStore> delivery;
  std::unique_ptr<ApprovalStore> approvals;
  std::unique_ptr<WebhookStore> webhooks;
  std::unique_ptr<AuditLog> audit;
  // The checkpoint key, from the data directory's audit-signing.key.
  std::shared_ptr<const audit::SigningKey> signing_key;
  // Advanced by `projects` after each change to what find_key_owner answers,
  // in this process or any other on the same data directory: what a cache of
  // key owners (CachedProjectStore) watches.
  std::shared_ptr<CredentialsGeneration> credentials_generation;
};

// The database file inside a data directory.
std::filesystem::path database_file(const std::filesystem::path& data_dir);

// Creates the directory if needed, opens the file and migrates its schema,
// maps `credentials.generation` (see GenerationFile) beside it, and loads
// (or on first start creates) the audit signing key.
// `readers` is the number of pooled read connections.
Result<SqliteStore> open_sqlite_store(const std::filesystem::path& data_dir, std::size_t readers);

}  // namespace agentsudo::server::sqlite
