#pragma once

#include <memory>

#include "server/store/delivery_store.hpp"
#include "server/store/sqlite/connection_pool.hpp"

namespace agentsudo::server::sqlite {

// DeliveryStore on SQLite: reads sdk_delivery through the shared read pool.
// Thread-safe.
class SqliteDeliveryStore final : public DeliveryStore {
 public:
  explicit SqliteDeliveryStore(std::shared_ptr<ConnectionPool> readers);

  Result<std::vector<InstanceDay>> instance_days(std::int64_t project_rowid, std::int64_t since_day,
                                                 std::size_t max_instances) override;
  Result<DeliveryTotals> totals() override;

 private:
  std::shared_ptr<ConnectionPool> readers_;
};

}  // namespace agentsudo::server::sqlite
