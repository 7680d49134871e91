#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/model/approval.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// Inside the caller's write transaction: appends an approval's audit event
// (`action`, e.g. approval_granted) on its agent, scope and function, with
// `metadata` plus the approval's id, and returns the event's id. Like
// policy_changed, it is an audit record: no quota, no analytics.
std::string record_approval_event(Database& db, const Approval& approval, std::int64_t agent_rowid,
                                  std::string_view action, bool allowed,
                                  boost::json::object metadata, UnixMicros now);

}  // namespace agentsudo::server::sqlite
