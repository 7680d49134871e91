#pragma once

#include <memory>

#include "server/store/analytics_store.hpp"
#include "server/store/postgres/connection_pool.hpp"

namespace agentsudo::server::postgres {

// AnalyticsStore on PostgreSQL: reads the aggregate tables through the
// shared pool, each report from one consistent snapshot. Thread-safe.
class PgAnalyticsStore final : public AnalyticsStore {
 public:
  explicit PgAnalyticsStore(std::shared_ptr<ConnectionPool> pool);

  Result<ActivityReport> activity(const AnalyticsWindow& window, std::size_t max_rows) override;
  Result<std::vector<AgentScopeUsage>> agent_scope_usage(const AnalyticsWindow& window,
                                                         std::string_view agent_id,
                                                         std::size_t max_scopes) override;
  Result<std::vector<std::string>> scopes_seen(std::int64_t project_rowid,
                                               std::size_t max_scopes) override;
  Result<std::vector<DayCount>> received_per_day(std::int64_t project_rowid, std::int64_t first_day,
                                                 std::int64_t last_day) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace agentsudo::server::postgres
