#include "server/store/postgres/policy_journal.hpp"

#include <optional>
#include <string>

#include "core/uuid.hpp"
#include "server/model/clock.hpp"
#include "server/store/postgres/change_notice.hpp"
#include "server/store/postgres/event_journal.hpp"

namespace agentsudo::server::postgres {
namespace {

std::int64_t bump_version(Connection& conn, std::int64_t project_rowid) {
  auto rows = conn.exec(
      "UPDATE projects SET policy_version = policy_version + 1 WHERE id = $1 "
      "RETURNING policy_version",
      Params().add(project_rowid));
  return rows.int64(0, 0);
}

void insert_event(Connection& conn, const PolicyChangeRecord& change, std::string_view event_id,
                  std::int64_t version, UnixMicros now) {
  JournalEvent event;
  event.project_rowid = change.project_rowid;
  event.agent_rowid = change.agent_rowid;
  event.event_id = event_id;
  event.action = "policy_changed";
  event.allowed = true;
  event.metadata_json = policy_event_metadata(change, version);
  event.timestamp = now;
  event.received_at = now;
  append_journal_event(conn, event);
}

std::optional<std::string> settings_text(const std::optional<AgentSettings>& settings) {
  if (!settings)
    return std::nullopt;
  return settings_to_json(*settings);
}

void insert_history(Connection& conn, const PolicyChangeRecord& change, std::string_view event_id,
                    std::int64_t version, UnixMicros now) {
  conn.exec(
      "INSERT INTO policy_changes (project_id, version, agent_id, kind, changed_by, "
      "old_settings, new_settings, event_uuid, changed_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      Params()
          .add(change.project_rowid)
          .add(version)
          .add(change.agent_rowid)
          .add(to_string(change.kind))
          .add(std::string_view(change.author->name))
          .add(settings_text(change.old_settings))
          .add(settings_text(change.new_settings))
          .add(event_id)
          .add(now));
}

}  // namespace

std::int64_t record_policy_change(Connection& conn, const PolicyChangeRecord& change) {
  UnixMicros now = SystemClock().now();
  std::int64_t version = bump_version(conn, change.project_rowid);
  std::string event_id = make_uuid_v7(now / 1000);
  insert_event(conn, change, event_id, version, now);
  insert_history(conn, change, event_id, version, now);
  publish_change(conn, StoreChange{StoreChange::Kind::kPolicy, change.project_rowid, {}});
  return version;
}

}  // namespace agentsudo::server::postgres
