#pragma once

#include "server/audit/signing_key.hpp"
#include "server/model/clock.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// Signs and stores, in one transaction, a checkpoint for every project whose
// chain head is past its last checkpoint. Returns how many it wrote.
int write_due_checkpoints(Database& db, const audit::SigningKey& key, UnixMicros now);

}  // namespace agentsudo::server::sqlite
