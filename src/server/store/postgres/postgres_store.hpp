#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "server/model/error.hpp"
#include "server/store/store_set.hpp"

namespace agentsudo::server::postgres {

// The shared store: one PostgreSQL database that any number of server nodes
// use at once. Connects to `url`, migrates the schema (kInternal when the
// database is newer than this build), and loads the audit signing key from
// `key_dir` (created there on first start; every node must be given the same
// file, see docs/DEPLOY.md). `readers` is the number of pooled connections
// for reads and short writes.
Result<StoreSet> open_postgres_store(const std::string& url, const std::filesystem::path& key_dir,
                                     std::size_t readers);

// The database a URL names, for people: "PostgreSQL database D on H",
// without the user or password.
std::string describe_database(const std::string& url);

}  // namespace agentsudo::server::postgres
