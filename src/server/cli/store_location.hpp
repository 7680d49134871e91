#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "server/model/error.hpp"
#include "server/store/store_set.hpp"

namespace agentsudo::server::cli {

// Where a command finds its store: the PostgreSQL database `database_url`
// names when it is set, else SQLite in `data_dir`. The data directory also
// holds the audit signing key either way.
struct StoreLocation {
  std::filesystem::path data_dir;
  std::string database_url;
};

// Opens (and migrates) the store; `readers` is the number of pooled read
// connections.
Result<StoreSet> open_store(const StoreLocation& where, std::size_t readers);

// Where the data is, for people: the data directory, or the database's name
// and host (never its password).
std::string describe(const StoreLocation& where);

}  // namespace agentsudo::server::cli
