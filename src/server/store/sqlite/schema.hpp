#pragma once

#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// Brings the file's schema to the newest version, one numbered migration at a
// time inside a transaction, tracked in PRAGMA user_version. Idempotent and
// safe to call from several processes at once (the CLI and a running server).
void migrate(Database& db);

}  // namespace agentsudo::server::sqlite
