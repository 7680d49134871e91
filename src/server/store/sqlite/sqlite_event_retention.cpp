#include "server/store/sqlite/sqlite_event_retention.hpp"

#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace agentsudo::server::sqlite {
namespace {

struct RetainedProject {
  std::int64_t rowid = 0;
  std::string id;
  std::int64_t days = 0;
};

std::vector<RetainedProject> projects_with_retention(Database& db) {
  auto rows = db.prepare_cached(
      "SELECT id, uuid, retention_days FROM projects WHERE retention_days IS NOT NULL "
      "ORDER BY id");
  std::vector<RetainedProject> projects;
  while (rows->step())
    projects.push_back(RetainedProject{rows->column_int64(0), std::string(rows->column_text(1)),
                                       rows->column_int64(2)});
  return projects;
}

// Events before the first one received on or after the cutoff go: a prefix
// of the project's seq order, so the chain loses a prefix only.
std::int64_t first_kept_seq(Database& db, std::int64_t project_rowid, UnixMicros cutoff) {
  auto row = db.prepare_cached(
      "SELECT seq FROM events WHERE project_id = ? AND received_at >= ? ORDER BY seq LIMIT 1");
  row->bind(1, project_rowid);
  row->bind(2, cutoff);
  return row->step() ? row->column_int64(0) : std::numeric_limits<std::int64_t>::max();
}

bool has_events_before(Database& db, std::int64_t project_rowid, std::int64_t seq) {
  auto row = db.prepare_cached("SELECT 1 FROM events WHERE project_id = ? AND seq < ? LIMIT 1");
  row->bind(1, project_rowid);
  row->bind(2, seq);
  return row->step();
}

// Records the last chained event before `kept_seq` as the project's chain
// horizon (never moving it back), and returns the horizon's position.
std::int64_t record_horizon(Database& db, std::int64_t project_rowid, std::int64_t kept_seq) {
  auto last = db.prepare_cached(
      "SELECT seq, chain_position, chain_hash FROM events WHERE project_id = ? AND seq < ? "
      "AND chain_position IS NOT NULL ORDER BY seq DESC LIMIT 1");
  last->bind(1, project_rowid);
  last->bind(2, kept_seq);
  if (last->step()) {
    auto hash = last->column_blob(2);
    auto upsert = db.prepare_cached(
        "INSERT INTO audit_retention_horizons (project_id, position, seq, hash) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET position = excluded.position, "
        "seq = excluded.seq, hash = excluded.hash WHERE excluded.position > position");
    upsert->bind(1, project_rowid);
    upsert->bind(2, last->column_int64(1));
    upsert->bind(3, last->column_int64(0));
    upsert->bind_blob(4, hash.data(), hash.size());
    upsert->run();
  }
  auto horizon =
      db.prepare_cached("SELECT position FROM audit_retention_horizons WHERE project_id = ?");
  horizon->bind(1, project_rowid);
  return horizon->step() ? horizon->column_int64(0) : 0;
}

// The aggregate rows of the removed days, so what remains counts what
// remains. Hour buckets count 24 to a day.
void remove_aggregates(Database& db, std::int64_t project_rowid, std::int64_t cutoff_day) {
  static const char* const kStatements[] = {
      "DELETE FROM usage_daily WHERE project_id = ?1 AND day < ?2",
      "DELETE FROM sdk_delivery WHERE project_id = ?1 AND day < ?2",
      "DELETE FROM activity_buckets WHERE project_id = ?1 AND "
      "((period = 1 AND bucket < ?2) OR (period = 0 AND bucket < ?2 * 24))",
      "DELETE FROM agent_buckets WHERE project_id = ?1 AND "
      "((period = 1 AND bucket < ?2) OR (period = 0 AND bucket < ?2 * 24))",
      "DELETE FROM scope_buckets WHERE project_id = ?1 AND "
      "((period = 1 AND bucket < ?2) OR (period = 0 AND bucket < ?2 * 24))",
      "DELETE FROM scope_agent_buckets WHERE project_id = ?1 AND "
      "((period = 1 AND bucket < ?2) OR (period = 0 AND bucket < ?2 * 24))",
      "DELETE FROM agent_sessions WHERE project_id = ?1 AND last_active < ?2 * 86400000000",
  };
  for (const char* sql : kStatements) {
    auto statement = db.prepare_cached(sql);
    statement->bind(1, project_rowid);
    statement->bind(2, cutoff_day);
    statement->run();
  }
}

}  // namespace

SqliteEventRetention::SqliteEventRetention(std::unique_ptr<Database> db, std::size_t batch_rows,
                                           std::chrono::milliseconds pause)
    : db_(std::move(db)), batch_rows_(batch_rows), pause_(pause) {}

Result<RetentionPass> SqliteEventRetention::sweep(UnixMicros now) {
  return translate_errors("sweep retention", [&]() -> Result<RetentionPass> {
    std::lock_guard lock(mutex_);
    RetentionPass pass;
    for (const auto& project : projects_with_retention(*db_)) {
      ProjectRetentionResult result{project.id, retention_cutoff_day(now, project.days), 0, 0};
      UnixMicros cutoff = result.cutoff_day * kMicrosPerDay;
      std::int64_t kept_seq = first_kept_seq(*db_, project.rowid, cutoff);
      {
        // The horizon and retained_since are committed before any event
        // goes: a pass cut short leaves events the horizon already covers,
        // which verify passes over, and the next pass removes.
        Transaction tx(*db_);
        bool removing = has_events_before(*db_, project.rowid, kept_seq);
        if (removing) {
          auto since = db_->prepare_cached(
              "UPDATE projects SET retained_since = max(coalesce(retained_since, 0), ?) "
              "WHERE id = ?");
          since->bind(1, cutoff);
          since->bind(2, project.rowid);
          since->run();
        }
        result.chain_positions_removed =
            removing ? record_horizon(*db_, project.rowid, kept_seq) : 0;
        remove_aggregates(*db_, project.rowid, result.cutoff_day);
        tx.commit();
      }
      for (;;) {
        std::int64_t removed = 0;
        {
          Transaction tx(*db_);
          auto remove = db_->prepare_cached(
              "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE project_id = ? "
              "AND seq < ? ORDER BY seq LIMIT ?)");
          remove->bind(1, project.rowid);
          remove->bind(2, kept_seq);
          remove->bind(3, static_cast<std::int64_t>(batch_rows_));
          remove->run();
          removed = db_->changes();
          tx.commit();
        }
        result.events_removed += removed;
        if (removed < static_cast<std::int64_t>(batch_rows_))
          break;
        std::this_thread::sleep_for(pause_);
      }
      if (result.chain_positions_removed == 0) {
        auto horizon = db_->prepare_cached(
            "SELECT position FROM audit_retention_horizons WHERE project_id = ?");
        horizon->bind(1, project.rowid);
        if (horizon->step())
          result.chain_positions_removed = horizon->column_int64(0);
      }
      pass.events_removed += result.events_removed;
      pass.projects.push_back(std::move(result));
    }
    return pass;
  });
}

}  // namespace agentsudo::server::sqlite
