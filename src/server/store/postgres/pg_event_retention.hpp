#pragma once

#include <cstddef>
#include <memory>

#include "server/store/event_retention.hpp"
#include "server/store/postgres/connection_pool.hpp"

namespace agentsudo::server::postgres {

// Retention on PostgreSQL. A day partition older than every project's cutoff
// (so only when every project has a retention) is detached and dropped
// whole; otherwise a project's old rows are deleted in batches of
// `batch_rows`, as are their event_ids rows. Nodes sharing the database
// take turns: a sweep holds the row of retention_sweep_lock (FOR UPDATE SKIP
// LOCKED, on a connection of its own) and a node that finds it held skips
// its pass. A plain row lock rather than pg_try_advisory_lock, so that the
// lock is released with the connection and is visible in pg_locks by table.
class PgEventRetention final : public EventRetention {
 public:
  explicit PgEventRetention(std::shared_ptr<ConnectionPool> pool, std::size_t batch_rows = 2000);

  Result<RetentionPass> sweep(UnixMicros now) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
  std::size_t batch_rows_;
};

}  // namespace agentsudo::server::postgres
