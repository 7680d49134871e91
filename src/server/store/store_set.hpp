#pragma once

#include <memory>

#include "server/audit/signing_key.hpp"
#include "server/store/account_store.hpp"
#include "server/store/agent_store.hpp"
#include "server/store/analytics_store.hpp"
#include "server/store/approval_store.hpp"
#include "server/store/audit_log.hpp"
#include "server/store/change_feed.hpp"
#include "server/store/credentials_generation.hpp"
#include "server/store/delivery_store.hpp"
#include "server/store/event_retention.hpp"
#include "server/store/event_store.hpp"
#include "server/store/login_failure_store.hpp"
#include "server/store/project_store.hpp"
#include "server/store/webhook_store.hpp"

namespace agentsudo::server {

// Every store a server needs, from one implementation (SQLite or PostgreSQL).
struct StoreSet {
  std::unique_ptr<ProjectStore> projects;
  std::unique_ptr<EventStore> events;
  std::unique_ptr<AccountStore> accounts;
  std::unique_ptr<AgentStore> agents;
  std::unique_ptr<AnalyticsStore> analytics;
  std::unique_ptr<DeliveryStore> delivery;
  std::unique_ptr<ApprovalStore> approvals;
  std::unique_ptr<WebhookStore> webhooks;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<EventRetention> retention;
  // The login throttle's counts when several nodes share the store; none
  // when one process owns it (SQLite), whose throttle counts in memory.
  std::unique_ptr<LoginFailureStore> login_failures;
  // The checkpoint key, from the data directory's audit-signing.key.
  std::shared_ptr<const audit::SigningKey> signing_key;
  // Advanced by `projects` after each change to what find_key_owner answers,
  // in this process or any other on the same store: what a cache of
  // key owners (CachedProjectStore) watches.
  std::shared_ptr<CredentialsGeneration> credentials_generation;
  // What other nodes commit; null when no other node can write (SQLite).
  std::unique_ptr<ChangeFeed> changes;
};

}  // namespace agentsudo::server
