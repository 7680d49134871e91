#pragma once

#include <cstdint>

#include "server/store/policy_record.hpp"
#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// Inside the caller's transaction: bumps the project's policy version (the
// UPDATE holds the project's row lock until commit, so changes of one
// project from any node take versions one at a time), appends the history
// entry and its `policy_changed` event (append_journal_event), and returns
// the new version. The event is an audit record, not a decision: it does not
// count against the quota or in the analytics. Throws PgError.
std::int64_t record_policy_change(Connection& conn, const PolicyChangeRecord& change);

}  // namespace agentsudo::server::postgres
