#include "server/store/sqlite/policy_journal.hpp"

#include "core/uuid.hpp"
#include "server/model/clock.hpp"
#include "server/store/sqlite/chain_append.hpp"

namespace agentsudo::server::sqlite {
namespace {

std::int64_t bump_version(Database& db, std::int64_t project_rowid) {
  auto bump = db.prepare_cached(
      "UPDATE projects SET policy_version = policy_version + 1 WHERE id = ? "
      "RETURNING policy_version");
  bump->bind(1, project_rowid);
  bump->step();
  std::int64_t version = bump->column_int64(0);
  bump->reset();
  return version;
}

void insert_event(Database& db, const PolicyChangeRecord& change, std::string_view event_id,
                  std::int64_t version, UnixMicros now) {
  std::string metadata = policy_event_metadata(change, version);
  audit::ChainedEvent chained;
  chained.event_id = event_id;
  chained.action = "policy_changed";
  chained.allowed = true;
  chained.metadata_json = metadata;
  chained.timestamp = now;
  chained.received_at = now;
  ChainLink link = link_single_event(db, change.project_rowid, change.agent_rowid, chained);
  auto insert = db.prepare_cached(
      "INSERT INTO events (uuid, project_id, agent_id, action, scope, allowed, function_name, "
      "metadata, ts, received_at, seq, chain_position, chain_hash) "
      "VALUES (?, ?, ?, 'policy_changed', NULL, 1, NULL, ?, ?, ?, ?, ?, ?)");
  insert->bind(1, event_id);
  insert->bind(2, change.project_rowid);
  insert->bind(3, change.agent_rowid);
  insert->bind(4, metadata);
  insert->bind(5, now);
  insert->bind(6, now);
  insert->bind(7, link.seq);
  insert->bind(8, link.position);
  insert->bind_blob(9, link.hash.data(), link.hash.size());
  insert->run();
}

void insert_history(Database& db, const PolicyChangeRecord& change, std::string_view event_id,
                    std::int64_t version, UnixMicros now) {
  auto insert = db.prepare_cached(
      "INSERT INTO policy_changes (project_id, version, agent_id, kind, changed_by, "
      "old_settings, new_settings, event_uuid, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert->bind(1, change.project_rowid);
  insert->bind(2, version);
  insert->bind(3, change.agent_rowid);
  insert->bind(4, std::string_view(to_string(change.kind)));
  insert->bind(5, change.author->name);
  if (change.old_settings)
    insert->bind(6, settings_to_json(*change.old_settings));
  else
    insert->bind_null(6);
  if (change.new_settings)
    insert->bind(7, settings_to_json(*change.new_settings));
  else
    insert->bind_null(7);
  insert->bind(8, event_id);
  insert->bind(9, now);
  insert->run();
}

}  // namespace

std::int64_t record_policy_change(Database& db, const PolicyChangeRecord& change) {
  UnixMicros now = SystemClock().now();
  std::int64_t version = bump_version(db, change.project_rowid);
  std::string event_id = make_uuid_v7(now / 1000);
  insert_event(db, change, event_id, version, now);
  insert_history(db, change, event_id, version, now);
  return version;
}

}  // namespace agentsudo::server::sqlite
