#pragma once

#include "../temp_store.hpp"

namespace agentsudo::server {

// A second store on the place `store` opened (the same SQLite directory or
// PostgreSQL database): what another server node, or the CLI beside a
// running server, sees.
inline Result<StoreSet> open_another_node(const TempStore& store) {
  if (store.is_postgres())
    return postgres::open_postgres_store(store.database_url(), store.dir(), 2);
  return sqlite::open_sqlite_store(store.dir(), 2);
}

}  // namespace agentsudo::server
