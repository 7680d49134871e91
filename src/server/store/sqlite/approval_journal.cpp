#include "server/store/sqlite/approval_journal.hpp"

#include <boost/json/serialize.hpp>

#include "core/uuid.hpp"
#include "server/store/sqlite/chain_append.hpp"

namespace agentsudo::server::sqlite {

std::string record_approval_event(Database& db, const Approval& approval, std::int64_t agent_rowid,
                                  std::string_view action, bool allowed,
                                  boost::json::object metadata, UnixMicros now) {
  metadata["approval_id"] = approval.id;
  std::string event_id = make_uuid_v7(now / 1000);
  std::string metadata_json = boost::json::serialize(metadata);
  audit::ChainedEvent chained;
  chained.event_id = event_id;
  chained.action = action;
  chained.scope = approval.scope;
  chained.allowed = allowed;
  if (!approval.function_name.empty())
    chained.function_name = approval.function_name;
  chained.metadata_json = metadata_json;
  chained.timestamp = now;
  chained.received_at = now;
  ChainLink link = link_single_event(db, approval.project_rowid, agent_rowid, chained);
  auto insert = db.prepare_cached(
      "INSERT INTO events (uuid, project_id, agent_id, action, scope, allowed, function_name, "
      "metadata, ts, received_at, seq, chain_position, chain_hash) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert->bind(1, event_id);
  insert->bind(2, approval.project_rowid);
  insert->bind(3, agent_rowid);
  insert->bind(4, action);
  insert->bind(5, approval.scope);
  insert->bind(6, std::int64_t{allowed ? 1 : 0});
  if (approval.function_name.empty())
    insert->bind_null(7);
  else
    insert->bind(7, approval.function_name);
  insert->bind(8, metadata_json);
  insert->bind(9, now);
  insert->bind(10, now);
  insert->bind(11, link.seq);
  insert->bind(12, link.position);
  insert->bind_blob(13, link.hash.data(), link.hash.size());
  insert->run();
  return event_id;
}

}  // namespace agentsudo::server::sqlite
