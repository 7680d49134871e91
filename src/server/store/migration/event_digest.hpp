#pragma once

#include <string>

#include "server/store/postgres/connection.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::migration {

// SHA-256 (hex) over every event in (project, seq) order, each rendered the
// same way from either store: every column as text (the decision as 0 or 1,
// the chain link as lowercase hex), NULL told apart from empty. Equal
// digests mean the same events, with the same ids, in the same order.
// Throws SqliteError / PgError.
std::string sqlite_events_digest(sqlite::Database& source);
std::string postgres_events_digest(postgres::Connection& target);

}  // namespace agentsudo::server::migration
