#pragma once

#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// Brings the file's schema to the newest version, one numbered migration at a
// time inside a transaction, tracked in PRAGMA user_version. Idempotent and
// safe to call from several processes at once (the CLI and a running server).
void migrate(Database& db);

// The schema version this build knows: the number of migrations it has.
int known_schema_version();

// The file's schema version (PRAGMA user_version).
int schema_version(Database& db);

}  // namespace agentsudo::server::sqlite
