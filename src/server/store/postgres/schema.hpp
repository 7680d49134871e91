#pragma once

#include "server/model/error.hpp"
#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// The schema version this build knows: the number of migrations it has.
int known_schema_version();

// Brings the database to known_schema_version(), one transaction per
// migration, under a lock so that nodes starting together migrate once.
// kInternal, saying so, when the database is newer than this build.
Status migrate(Connection& conn);

}  // namespace agentsudo::server::postgres
