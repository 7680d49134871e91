#pragma once

#include <memory>

#include "server/store/delivery_store.hpp"
#include "server/store/postgres/connection_pool.hpp"

namespace agentsudo::server::postgres {

// DeliveryStore on PostgreSQL: reads sdk_delivery through the shared pool.
// Thread-safe.
class PgDeliveryStore final : public DeliveryStore {
 public:
  explicit PgDeliveryStore(std::shared_ptr<ConnectionPool> pool);

  Result<std::vector<InstanceDay>> instance_days(std::int64_t project_rowid, std::int64_t since_day,
                                                 std::size_t max_instances) override;
  Result<DeliveryTotals> totals() override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace agentsudo::server::postgres
