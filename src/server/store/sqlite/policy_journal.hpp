#pragma once

#include <cstdint>

#include "server/store/policy_record.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// Inside the caller's write transaction: bumps the project's policy version,
// appends the history entry and its `policy_changed` event, and returns the
// new version. The event is an audit record, not a decision: it does not
// count against the quota or in the analytics.
std::int64_t record_policy_change(Database& db, const PolicyChangeRecord& change);

}  // namespace agentsudo::server::sqlite
