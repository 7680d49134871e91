#include "server/store/postgres/pg_event_retention.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/store/postgres/errors.hpp"
#include "server/store/postgres/event_partitions.hpp"

namespace agentsudo::server::postgres {
namespace {

struct RetainedProject {
  std::int64_t rowid = 0;
  std::string id;
  std::int64_t days = 0;
  std::int64_t kept_seq = 0;  // the first event kept; events before it go
};

std::int64_t first_kept_seq(Connection& conn, std::int64_t project_rowid, UnixMicros cutoff) {
  auto rows = conn.exec(
      "SELECT seq FROM events WHERE project_id = $1 AND received_at >= $2 ORDER BY seq LIMIT 1",
      Params().add(project_rowid).add(cutoff));
  return rows.empty() ? std::numeric_limits<std::int64_t>::max() : rows.int64(0, 0);
}

// As SqliteEventRetention: the horizon is the last chained event before
// `kept_seq`, never moved back; returns the horizon's position.
std::int64_t record_horizon(Connection& conn, std::int64_t project_rowid, std::int64_t kept_seq,
                            UnixMicros cutoff) {
  conn.exec(
      "INSERT INTO audit_retention_horizons (project_id, position, seq, hash) "
      "SELECT project_id, chain_position, seq, chain_hash FROM events WHERE project_id = $1 "
      "AND seq < $2 AND received_at < $3 AND chain_position IS NOT NULL "
      "ORDER BY seq DESC LIMIT 1 "
      "ON CONFLICT (project_id) DO UPDATE SET position = excluded.position, "
      "seq = excluded.seq, hash = excluded.hash "
      "WHERE excluded.position > audit_retention_horizons.position",
      Params().add(project_rowid).add(kept_seq).add(cutoff));
  auto rows = conn.exec("SELECT position FROM audit_retention_horizons WHERE project_id = $1",
                        Params().add(project_rowid));
  return rows.empty() ? 0 : rows.int64(0, 0);
}

void remove_aggregates(Connection& conn, std::int64_t project_rowid, std::int64_t cutoff_day) {
  static const char* const kStatements[] = {
      "DELETE FROM usage_daily WHERE project_id = $1 AND day < $2",
      "DELETE FROM sdk_delivery WHERE project_id = $1 AND day < $2",
      "DELETE FROM activity_buckets WHERE project_id = $1 AND "
      "((period = 1 AND bucket < $2) OR (period = 0 AND bucket < $2 * 24))",
      "DELETE FROM agent_buckets WHERE project_id = $1 AND "
      "((period = 1 AND bucket < $2) OR (period = 0 AND bucket < $2 * 24))",
      "DELETE FROM scope_buckets WHERE project_id = $1 AND "
      "((period = 1 AND bucket < $2) OR (period = 0 AND bucket < $2 * 24))",
      "DELETE FROM scope_agent_buckets WHERE project_id = $1 AND "
      "((period = 1 AND bucket < $2) OR (period = 0 AND bucket < $2 * 24))",
      "DELETE FROM agent_sessions WHERE project_id = $1 AND last_active < $2 * 86400000000",
  };
  for (const char* sql : kStatements)
    conn.exec(sql, Params().add(project_rowid).add(cutoff_day));
}

// Whether the day holds an event some project keeps: one of a project that
// keeps everything (`keep_all`, a bigint[] literal), or one at or after its
// project's first kept event (a late event with an old receive time).
// Dropping such a day would lose it, or cut that project's chain in the
// middle, so its removable rows go one by one instead.
bool holds_kept_events(Connection& conn, std::int64_t day,
                       const std::vector<RetainedProject>& projects, const std::string& keep_all) {
  UnixMicros start = day * kMicrosPerDay;
  UnixMicros end = start + kMicrosPerDay;
  if (keep_all != "{}" &&
      !conn.exec("SELECT 1 FROM events WHERE project_id = ANY($1::bigint[]) AND received_at >= $2 "
                 "AND received_at < $3 LIMIT 1",
                 Params().add(keep_all).add(start).add(end))
           .empty())
    return true;
  for (const auto& project : projects) {
    if (!conn.exec("SELECT 1 FROM events WHERE project_id = $1 AND seq >= $2 AND received_at >= "
                   "$3 AND received_at < $4 LIMIT 1",
                   Params().add(project.rowid).add(project.kept_seq).add(start).add(end))
             .empty())
      return true;
  }
  return false;
}

// The ids of the projects that keep everything, as a bigint[] literal.
std::string keep_all_projects(Connection& conn) {
  auto rows = conn.exec("SELECT id FROM projects WHERE retention_days IS NULL ORDER BY id");
  std::string array = "{";
  for (int row = 0; row < rows.size(); ++row)
    array += (row ? "," : "") + std::to_string(rows.int64(row, 0));
  return array + "}";
}

// Takes the partition out of `events` without an exclusive lock on
// `events`: a plain DETACH waits for one behind the commit writers and
// deadlocked with them under load. CONCURRENTLY runs outside a transaction
// and waits for the writers instead; one an earlier pass left pending is
// finished, and one already detached (a pass cut short before its drop) is
// left to the drop.
void detach_partition(Connection& conn, const std::string& table) {
  auto state = conn.exec(
      "SELECT i.inhdetachpending FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace",
      Params().add(table));
  if (state.empty())
    return;
  conn.exec_script("ALTER TABLE events DETACH PARTITION " + table +
                   (state.boolean(0, 0) ? " FINALIZE" : " CONCURRENTLY"));
}

// Drops the day partitions entirely before `before_day` that hold nothing
// any project keeps, with their event_ids rows (in batches first).
std::int64_t drop_partitions_before(Connection& conn, std::int64_t before_day,
                                    const std::vector<RetainedProject>& projects,
                                    std::size_t batch_rows) {
  std::string keep_all = keep_all_projects(conn);
  auto days = conn.exec("SELECT day FROM event_partitions WHERE day < $1 ORDER BY day",
                        Params().add(before_day));
  std::int64_t dropped = 0;
  for (int row = 0; row < days.size(); ++row) {
    std::int64_t day = days.int64(row, 0);
    if (holds_kept_events(conn, day, projects, keep_all))
      continue;
    // Only this day's ids: an earlier day left in place still has kept events.
    for (;;) {
      auto removed = conn.exec(
          "DELETE FROM event_ids WHERE (project_id, uuid) IN (SELECT project_id, uuid FROM "
          "event_ids WHERE received_at >= $1 AND received_at < $2 LIMIT $3)",
          Params()
              .add(day * kMicrosPerDay)
              .add((day + 1) * kMicrosPerDay)
              .add(static_cast<std::int64_t>(batch_rows)));
      if (removed.affected() < static_cast<std::int64_t>(batch_rows))
        break;
    }
    std::string table = event_partition_name(day);
    detach_partition(conn, table);
    Transaction tx(conn);
    conn.exec_script("DROP TABLE IF EXISTS " + table);
    conn.exec("DELETE FROM event_partitions WHERE day = $1", Params().add(day));
    tx.commit();
    ++dropped;
  }
  return dropped;
}

}  // namespace

PgEventRetention::PgEventRetention(std::shared_ptr<ConnectionPool> pool, std::size_t batch_rows)
    : pool_(std::move(pool)), batch_rows_(batch_rows) {}

Result<RetentionPass> PgEventRetention::sweep(UnixMicros now) {
  return translate_errors("sweep retention", [&]() -> Result<RetentionPass> {
    RetentionPass pass;
    // The turn: held for the whole pass on a connection of its own, so the
    // work below commits in short transactions.
    auto lock_conn = Connection::open(pool_->url());
    Transaction turn(*lock_conn);
    if (lock_conn->exec("SELECT id FROM retention_sweep_lock WHERE id = 1 FOR UPDATE SKIP LOCKED")
            .empty()) {
      pass.skipped = true;
      return pass;
    }
    auto conn = pool_->acquire();
    auto rows = conn->exec(
        "SELECT id, uuid, retention_days FROM projects WHERE retention_days IS NOT NULL "
        "ORDER BY id");
    std::vector<RetainedProject> projects;
    for (int row = 0; row < rows.size(); ++row)
      projects.push_back(
          RetainedProject{rows.int64(row, 0), rows.string(row, 1), rows.int64(row, 2), 0});
    std::optional<std::int64_t> earliest_cutoff_day;
    for (auto& project : projects) {
      ProjectRetentionResult result{project.id, retention_cutoff_day(now, project.days), 0, 0};
      UnixMicros cutoff = result.cutoff_day * kMicrosPerDay;
      earliest_cutoff_day =
          std::min(earliest_cutoff_day.value_or(result.cutoff_day), result.cutoff_day);
      project.kept_seq = first_kept_seq(*conn, project.rowid, cutoff);
      // Horizon, retained_since and aggregates before any event goes, as in
      // SQLite: an interrupted pass leaves only events verify passes over.
      Transaction tx(*conn);
      bool removing = !conn->exec(
                               "SELECT 1 FROM events WHERE project_id = $1 AND seq < $2 AND "
                               "received_at < $3 LIMIT 1",
                               Params().add(project.rowid).add(project.kept_seq).add(cutoff))
                           .empty();
      if (removing) {
        conn->exec(
            "UPDATE projects SET retained_since = GREATEST(COALESCE(retained_since, 0), $1) "
            "WHERE id = $2",
            Params().add(cutoff).add(project.rowid));
        result.chain_positions_removed =
            record_horizon(*conn, project.rowid, project.kept_seq, cutoff);
        // Counted before the rows go, for partitions dropped whole.
        result.events_removed =
            conn->exec(
                    "SELECT count(*) FROM events WHERE project_id = $1 AND seq < $2 AND "
                    "received_at < $3",
                    Params().add(project.rowid).add(project.kept_seq).add(cutoff))
                .int64(0, 0);
      }
      remove_aggregates(*conn, project.rowid, result.cutoff_day);
      tx.commit();
      pass.projects.push_back(std::move(result));
    }
    if (earliest_cutoff_day)
      pass.partitions_dropped =
          drop_partitions_before(*conn, *earliest_cutoff_day, projects, batch_rows_);
    for (std::size_t i = 0; i < projects.size(); ++i) {
      const auto& project = projects[i];
      UnixMicros cutoff = pass.projects[i].cutoff_day * kMicrosPerDay;
      auto batch = static_cast<std::int64_t>(batch_rows_);
      for (;;) {
        auto removed = conn->exec(
            "DELETE FROM events WHERE project_id = $1 AND received_at < $3 AND (seq, received_at) "
            "IN (SELECT seq, received_at FROM events WHERE project_id = $1 AND seq < $2 AND "
            "received_at < $3 ORDER BY seq LIMIT $4)",
            Params().add(project.rowid).add(project.kept_seq).add(cutoff).add(batch));
        if (removed.affected() < batch)
          break;
      }
      for (;;) {
        auto removed = conn->exec(
            "DELETE FROM event_ids WHERE project_id = $1 AND uuid IN (SELECT uuid FROM event_ids "
            "WHERE project_id = $1 AND received_at < $3 AND seq < $2 LIMIT $4)",
            Params().add(project.rowid).add(project.kept_seq).add(cutoff).add(batch));
        if (removed.affected() < batch)
          break;
      }
      pass.events_removed += pass.projects[i].events_removed;
    }
    lock_conn->exec("UPDATE retention_sweep_lock SET swept_at = $1 WHERE id = 1",
                    Params().add(now));
    turn.commit();
    return pass;
  });
}

}  // namespace agentsudo::server::postgres
