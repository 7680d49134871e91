#include "server/store/sqlite/sqlite_analytics_store.hpp"

#include <unordered_map>

namespace agentsudo::server::sqlite {
namespace {

// Binds (project, period, first, last) as parameters 1 to 4.
void bind_window(Statement& statement, const AnalyticsWindow& w) {
  statement.bind(1, w.project_rowid);
  statement.bind(2, static_cast<std::int64_t>(w.period));
  statement.bind(3, w.first);
  statement.bind(4, w.last);
}

constexpr const char* kInWindow = " WHERE project_id = ? AND period = ? AND bucket BETWEEN ? AND ?";

std::vector<BucketActivity> read_series(Database& db, const AnalyticsWindow& w) {
  auto rows =
      db.prepare_cached(std::string("SELECT bucket, allowed, denied FROM activity_buckets") +
                        kInWindow + " ORDER BY bucket");
  bind_window(*rows, w);
  std::vector<BucketActivity> series;
  while (rows->step())
    series.push_back({rows->column_int64(0), rows->column_int64(1), rows->column_int64(2)});
  return series;
}

std::int64_t count_distinct(Database& db, const AnalyticsWindow& w, const std::string& column,
                            const std::string& table) {
  auto row = db.prepare_cached("SELECT count(DISTINCT " + column + ") FROM " + table + kInWindow);
  bind_window(*row, w);
  row->step();
  return row->column_int64(0);
}

// Sessions with events in the window, as spanned by their first and last
// event: an index range, however many events the sessions hold.
std::int64_t count_sessions(Database& db, const AnalyticsWindow& w) {
  auto row = db.prepare_cached(
      "SELECT count(*) FROM agent_sessions "
      "WHERE project_id = ? AND last_active >= ? AND first_active < ?");
  row->bind(1, w.project_rowid);
  row->bind(2, bucket_start(w.period, w.first));
  row->bind(3, bucket_start(w.period, w.last + 1));
  row->step();
  return row->column_int64(0);
}

std::vector<AgentActivity> read_top_agents(Database& db, const AnalyticsWindow& w,
                                           std::size_t max_rows) {
  auto rows = db.prepare_cached(
      "SELECT a.uuid, a.name, sum(b.events) AS n, sum(b.denials), max(b.last_active) "
      "FROM agent_buckets b JOIN agents a ON a.id = b.agent_id "
      "WHERE b.project_id = ? AND b.period = ? AND b.bucket BETWEEN ? AND ? "
      "GROUP BY b.agent_id ORDER BY n DESC, a.name LIMIT ?");
  bind_window(*rows, w);
  rows->bind(5, static_cast<std::int64_t>(max_rows));
  std::vector<AgentActivity> agents;
  while (rows->step()) {
    agents.push_back({std::string(rows->column_text(0)), std::string(rows->column_text(1)),
                      rows->column_int64(2), rows->column_int64(3), rows->column_int64(4)});
  }
  return agents;
}

std::vector<ScopeUsage> read_top_scopes(Database& db, const AnalyticsWindow& w,
                                        std::size_t max_rows) {
  auto rows = db.prepare_cached(std::string("SELECT scope, sum(requests) AS n, sum(denials) "
                                            "FROM scope_buckets") +
                                kInWindow + " GROUP BY scope ORDER BY n DESC, scope LIMIT ?");
  bind_window(*rows, w);
  rows->bind(5, static_cast<std::int64_t>(max_rows));
  std::vector<ScopeUsage> scopes;
  std::unordered_map<std::string, std::size_t> position;
  while (rows->step()) {
    position.emplace(rows->column_text(0), scopes.size());
    scopes.push_back(
        {std::string(rows->column_text(0)), rows->column_int64(1), rows->column_int64(2), 0});
  }
  auto agents = db.prepare_cached(
      std::string("SELECT scope, count(DISTINCT agent_id) FROM scope_agent_buckets") + kInWindow +
      " GROUP BY scope");
  bind_window(*agents, w);
  while (agents->step()) {
    if (auto it = position.find(std::string(agents->column_text(0))); it != position.end())
      scopes[it->second].agents = agents->column_int64(1);
  }
  return scopes;
}

}  // namespace

SqliteAnalyticsStore::SqliteAnalyticsStore(std::shared_ptr<ConnectionPool> readers)
    : readers_(std::move(readers)) {}

Result<ActivityReport> SqliteAnalyticsStore::activity(const AnalyticsWindow& window,
                                                      std::size_t max_rows) {
  return translate_errors("read analytics", [&]() -> Result<ActivityReport> {
    auto db = readers_->acquire();
    ReadSnapshot snapshot(*db);
    ActivityReport report;
    report.series = read_series(*db, window);
    report.agents = count_distinct(*db, window, "agent_id", "agent_buckets");
    report.sessions = count_sessions(*db, window);
    report.top_agents = read_top_agents(*db, window, max_rows);
    report.top_scopes = read_top_scopes(*db, window, max_rows);
    return report;
  });
}

Result<std::vector<std::string>> SqliteAnalyticsStore::scopes_seen(std::int64_t project_rowid,
                                                                   std::size_t max_scopes) {
  return translate_errors("read scopes", [&]() -> Result<std::vector<std::string>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(
        "SELECT DISTINCT scope FROM scope_buckets WHERE project_id = ? AND period = ? "
        "ORDER BY scope LIMIT ?");
    rows->bind(1, project_rowid);
    rows->bind(2, static_cast<std::int64_t>(Period::kDay));
    rows->bind(3, static_cast<std::int64_t>(max_scopes));
    std::vector<std::string> scopes;
    while (rows->step())
      scopes.emplace_back(rows->column_text(0));
    return scopes;
  });
}

Result<std::vector<AgentScopeUsage>> SqliteAnalyticsStore::agent_scope_usage(
    const AnalyticsWindow& window, std::string_view agent_id, std::size_t max_scopes) {
  return translate_errors("read agent scopes", [&]() -> Result<std::vector<AgentScopeUsage>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(
        "SELECT b.scope, sum(b.requests) AS requests, sum(b.denials) FROM scope_agent_buckets b "
        "JOIN agents a ON a.id = b.agent_id WHERE a.project_id = ?1 AND a.uuid = ?2 "
        "AND b.project_id = ?1 AND b.agent_id = a.id AND b.period = ?3 "
        "AND b.bucket BETWEEN ?4 AND ?5 GROUP BY b.scope ORDER BY requests DESC, b.scope LIMIT ?6");
    rows->bind(1, window.project_rowid);
    rows->bind(2, agent_id);
    rows->bind(3, static_cast<std::int64_t>(window.period));
    rows->bind(4, window.first);
    rows->bind(5, window.last);
    rows->bind(6, static_cast<std::int64_t>(max_scopes));
    std::vector<AgentScopeUsage> usage;
    while (rows->step())
      usage.push_back(
          {std::string(rows->column_text(0)), rows->column_int64(1), rows->column_int64(2)});
    return usage;
  });
}

Result<std::vector<DayCount>> SqliteAnalyticsStore::received_per_day(std::int64_t project_rowid,
                                                                     std::int64_t first_day,
                                                                     std::int64_t last_day) {
  return translate_errors("read usage", [&]() -> Result<std::vector<DayCount>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(
        "SELECT day, events FROM usage_daily WHERE project_id = ? AND day BETWEEN ? AND ? "
        "ORDER BY day");
    rows->bind(1, project_rowid);
    rows->bind(2, first_day);
    rows->bind(3, last_day);
    std::vector<DayCount> days;
    while (rows->step())
      days.push_back({rows->column_int64(0), rows->column_int64(1)});
    return days;
  });
}

}  // namespace agentsudo::server::sqlite
