#pragma once

#include "server/audit/signing_key.hpp"
#include "server/model/clock.hpp"
#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// Signs and stores, in one transaction, a checkpoint for every project whose
// chain head is past its last checkpoint. A head another transaction holds
// (a writer appending, or another node signing it) is skipped, not waited
// for: it will be due again next time. Returns how many it wrote.
int write_due_checkpoints(Connection& conn, const audit::SigningKey& key, UnixMicros now);

}  // namespace agentsudo::server::postgres
