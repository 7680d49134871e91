#pragma once

#include <memory>

#include "server/store/login_failure_store.hpp"
#include "server/store/postgres/connection_pool.hpp"

namespace agentsudo::server::postgres {

// Login failure counts in the login_failures table, so that every node
// throttles the same attempts. Thread-safe.
class PgLoginFailureStore final : public LoginFailureStore {
 public:
  explicit PgLoginFailureStore(std::shared_ptr<ConnectionPool> pool);

  Status update(std::span<const std::string> keys, UnixMicros idle_before,
                const Change& change) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace agentsudo::server::postgres
