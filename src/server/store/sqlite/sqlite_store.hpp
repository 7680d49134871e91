#pragma once

#include <filesystem>
#include <memory>

#include "server/model/error.hpp"
#include "server/store/store_set.hpp"

namespace agentsudo::server::sqlite {

// The database file inside a data directory.
std::filesystem::path database_file(const std::filesystem::path& data_dir);

// The embedded store: one SQLite file, `agentsudo.db`, in the data directory.
// Creates the directory if needed, opens the file and migrates its schema,
// maps `credentials.generation` (see GenerationFile) beside it, and loads
// (or on first start creates) the audit signing key.
// `readers` is the number of pooled read connections.
Result<StoreSet> open_sqlite_store(const std::filesystem::path& data_dir, std::size_t readers);

}  // namespace agentsudo::server::sqlite
