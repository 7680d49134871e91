#pragma once

#include <string>
#include <vector>

#include "server/store/postgres/connection.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::migration {

// What the target holds that did not come from the source: projects,
// users, agents, API keys and management tokens whose id is not the
// source's or names another row (uuid), and events past the source's last
// seq. Empty for an empty target and for one holding an earlier (also
// partial) copy of this source. Rows a PostgreSQL store writes on its own
// first start (settings) do not count. Throws SqliteError / PgError.
std::vector<std::string> foreign_rows(sqlite::Database& source, postgres::Connection& target);

}  // namespace agentsudo::server::migration
