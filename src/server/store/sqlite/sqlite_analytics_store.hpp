#pragma once

#include <memory>

#include "server/store/analytics_store.hpp"
#include "server/store/sqlite/connection_pool.hpp"

namespace agentsudo::server::sqlite {

// AnalyticsStore on SQLite: reads the aggregate tables through the shared
// read pool, each report from one consistent snapshot. Thread-safe.
class SqliteAnalyticsStore final : public AnalyticsStore {
 public:
  explicit SqliteAnalyticsStore(std::shared_ptr<ConnectionPool> readers);

  Result<ActivityReport> activity(const AnalyticsWindow& window, std::size_t max_rows) override;
  Result<std::vector<AgentScopeUsage>> agent_scope_usage(const AnalyticsWindow& window,
                                                         std::string_view agent_id,
                                                         std::size_t max_scopes) override;
  Result<std::vector<std::string>> scopes_seen(std::int64_t project_rowid,
                                               std::size_t max_scopes) override;
  Result<std::vector<DayCount>> received_per_day(std::int64_t project_rowid, std::int64_t first_day,
                                                 std::int64_t last_day) override;

 private:
  std::shared_ptr<ConnectionPool> readers_;
};

}  // namespace agentsudo::server::sqlite
