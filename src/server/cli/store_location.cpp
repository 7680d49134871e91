#include "server/cli/store_location.hpp"

#include "server/store/postgres/postgres_store.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace agentsudo::server::cli {

Result<StoreSet> open_store(const StoreLocation& where, std::size_t readers) {
  if (where.database_url.empty())
    return sqlite::open_sqlite_store(where.data_dir, readers);
  return postgres::open_postgres_store(where.database_url, where.data_dir, readers);
}

std::string describe(const StoreLocation& where) {
  if (where.database_url.empty())
    return where.data_dir.string();
  return postgres::describe_database(where.database_url);
}

}  // namespace agentsudo::server::cli
