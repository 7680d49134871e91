#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/model/approval.hpp"
#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// Inside the caller's transaction: appends an approval's audit event
// (`action`, e.g. approval_granted) on its agent, scope and function, with
// `metadata` plus the approval's id, through append_journal_event, and
// returns the event's id. Throws PgError.
std::string record_approval_event(Connection& conn, const Approval& approval,
                                  std::int64_t agent_rowid, std::string_view action, bool allowed,
                                  boost::json::object metadata, UnixMicros now);

}  // namespace agentsudo::server::postgres
