#include "server/store/postgres/approval_journal.hpp"

#include <boost/json/serialize.hpp>

#include "core/uuid.hpp"
#include "server/store/postgres/change_notice.hpp"
#include "server/store/postgres/event_journal.hpp"

namespace agentsudo::server::postgres {

std::string record_approval_event(Connection& conn, const Approval& approval,
                                  std::int64_t agent_rowid, std::string_view action, bool allowed,
                                  boost::json::object metadata, UnixMicros now) {
  metadata["approval_id"] = approval.id;
  JournalEvent event;
  event.project_rowid = approval.project_rowid;
  event.agent_rowid = agent_rowid;
  event.event_id = make_uuid_v7(now / 1000);
  event.action = action;
  event.scope = approval.scope;
  event.allowed = allowed;
  if (!approval.function_name.empty())
    event.function_name = approval.function_name;
  event.metadata_json = boost::json::serialize(metadata);
  event.timestamp = now;
  event.received_at = now;
  append_journal_event(conn, event);
  publish_change(conn,
                 StoreChange{StoreChange::Kind::kApproval, approval.project_rowid, approval.id});
  return event.event_id;
}

}  // namespace agentsudo::server::postgres
