#include "server/store/postgres/pg_analytics_store.hpp"

#include <unordered_map>

#include "server/store/postgres/errors.hpp"
#include "server/store/postgres/read_snapshot.hpp"

namespace agentsudo::server::postgres {
namespace {

constexpr const char* kInWindow =
    " WHERE project_id = $1 AND period = $2 AND bucket BETWEEN $3 AND $4";

Params window_params(const AnalyticsWindow& w) {
  Params params;
  params.add(w.project_rowid).add(static_cast<std::int64_t>(w.period)).add(w.first).add(w.last);
  return params;
}

std::vector<BucketActivity> read_series(Connection& conn, const AnalyticsWindow& w) {
  auto rows = conn.exec(std::string("SELECT bucket, allowed, denied FROM activity_buckets") +
                            kInWindow + " ORDER BY bucket",
                        window_params(w));
  std::vector<BucketActivity> series;
  for (int r = 0; r < rows.size(); ++r)
    series.push_back({rows.int64(r, 0), rows.int64(r, 1), rows.int64(r, 2)});
  return series;
}

std::int64_t count_agents(Connection& conn, const AnalyticsWindow& w) {
  return conn
      .exec(std::string("SELECT count(DISTINCT agent_id) FROM agent_buckets") + kInWindow,
            window_params(w))
      .int64(0, 0);
}

// Sessions with events in the window, as spanned by their first and last
// event: an index range, however many events the sessions hold.
std::int64_t count_sessions(Connection& conn, const AnalyticsWindow& w) {
  return conn
      .exec(
          "SELECT count(*) FROM agent_sessions "
          "WHERE project_id = $1 AND last_active >= $2 AND first_active < $3",
          Params()
              .add(w.project_rowid)
              .add(bucket_start(w.period, w.first))
              .add(bucket_start(w.period, w.last + 1)))
      .int64(0, 0);
}

std::vector<AgentActivity> read_top_agents(Connection& conn, const AnalyticsWindow& w,
                                           std::size_t max_rows) {
  Params params = window_params(w);
  params.add(static_cast<std::int64_t>(max_rows));
  auto rows = conn.exec(
      "SELECT a.uuid, a.name, sum(b.events) AS n, sum(b.denials), max(b.last_active) "
      "FROM agent_buckets b JOIN agents a ON a.id = b.agent_id "
      "WHERE b.project_id = $1 AND b.period = $2 AND b.bucket BETWEEN $3 AND $4 "
      "GROUP BY a.id, a.uuid, a.name ORDER BY n DESC, a.name COLLATE \"C\" LIMIT $5",
      params);
  std::vector<AgentActivity> agents;
  for (int r = 0; r < rows.size(); ++r) {
    agents.push_back({rows.string(r, 0), rows.string(r, 1), rows.int64(r, 2), rows.int64(r, 3),
                      rows.int64(r, 4)});
  }
  return agents;
}

std::vector<ScopeUsage> read_top_scopes(Connection& conn, const AnalyticsWindow& w,
                                        std::size_t max_rows) {
  Params params = window_params(w);
  params.add(static_cast<std::int64_t>(max_rows));
  auto rows =
      conn.exec(std::string("SELECT scope, sum(requests) AS n, sum(denials) "
                            "FROM scope_buckets") +
                    kInWindow + " GROUP BY scope ORDER BY n DESC, scope COLLATE \"C\" LIMIT $5",
                params);
  std::vector<ScopeUsage> scopes;
  std::unordered_map<std::string, std::size_t> position;
  for (int r = 0; r < rows.size(); ++r) {
    position.emplace(rows.string(r, 0), scopes.size());
    scopes.push_back({rows.string(r, 0), rows.int64(r, 1), rows.int64(r, 2), 0});
  }
  auto agents =
      conn.exec(std::string("SELECT scope, count(DISTINCT agent_id) FROM scope_agent_buckets") +
                    kInWindow + " GROUP BY scope",
                window_params(w));
  for (int r = 0; r < agents.size(); ++r) {
    if (auto it = position.find(agents.string(r, 0)); it != position.end())
      scopes[it->second].agents = agents.int64(r, 1);
  }
  return scopes;
}

}  // namespace

// Every read orders names and scopes as SQLite does (bytewise), whatever
// the database's collation: COLLATE "C" is PostgreSQL's spelling of that.
PgAnalyticsStore::PgAnalyticsStore(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

Result<ActivityReport> PgAnalyticsStore::activity(const AnalyticsWindow& window,
                                                  std::size_t max_rows) {
  return translate_errors("read analytics", [&]() -> Result<ActivityReport> {
    auto conn = pool_->acquire();
    ReadSnapshot snapshot(*conn);
    ActivityReport report;
    report.series = read_series(*conn, window);
    report.agents = count_agents(*conn, window);
    report.sessions = count_sessions(*conn, window);
    report.top_agents = read_top_agents(*conn, window, max_rows);
    report.top_scopes = read_top_scopes(*conn, window, max_rows);
    return report;
  });
}

Result<std::vector<std::string>> PgAnalyticsStore::scopes_seen(std::int64_t project_rowid,
                                                               std::size_t max_scopes) {
  return translate_errors("read scopes", [&]() -> Result<std::vector<std::string>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(
        "SELECT DISTINCT scope COLLATE \"C\" AS s FROM scope_buckets "
        "WHERE project_id = $1 AND period = $2 ORDER BY s LIMIT $3",
        Params()
            .add(project_rowid)
            .add(static_cast<std::int64_t>(Period::kDay))
            .add(static_cast<std::int64_t>(max_scopes)));
    std::vector<std::string> scopes;
    for (int r = 0; r < rows.size(); ++r)
      scopes.push_back(rows.string(r, 0));
    return scopes;
  });
}

Result<std::vector<AgentScopeUsage>> PgAnalyticsStore::agent_scope_usage(
    const AnalyticsWindow& window, std::string_view agent_id, std::size_t max_scopes) {
  return translate_errors("read agent scopes", [&]() -> Result<std::vector<AgentScopeUsage>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(
        "SELECT b.scope, sum(b.requests) AS requests, sum(b.denials) FROM scope_agent_buckets b "
        "JOIN agents a ON a.id = b.agent_id WHERE a.project_id = $1 AND a.uuid = $2 "
        "AND b.project_id = $1 AND b.agent_id = a.id AND b.period = $3 "
        "AND b.bucket BETWEEN $4 AND $5 GROUP BY b.scope "
        "ORDER BY requests DESC, b.scope COLLATE \"C\" LIMIT $6",
        Params()
            .add(window.project_rowid)
            .add(agent_id)
            .add(static_cast<std::int64_t>(window.period))
            .add(window.first)
            .add(window.last)
            .add(static_cast<std::int64_t>(max_scopes)));
    std::vector<AgentScopeUsage> usage;
    for (int r = 0; r < rows.size(); ++r)
      usage.push_back({rows.string(r, 0), rows.int64(r, 1), rows.int64(r, 2)});
    return usage;
  });
}

Result<std::vector<DayCount>> PgAnalyticsStore::received_per_day(std::int64_t project_rowid,
                                                                 std::int64_t first_day,
                                                                 std::int64_t last_day) {
  return translate_errors("read usage", [&]() -> Result<std::vector<DayCount>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(
        "SELECT day, events FROM usage_daily WHERE project_id = $1 AND day BETWEEN $2 AND $3 "
        "ORDER BY day",
        Params().add(project_rowid).add(first_day).add(last_day));
    std::vector<DayCount> days;
    for (int r = 0; r < rows.size(); ++r)
      days.push_back({rows.int64(r, 0), rows.int64(r, 1)});
    return days;
  });
}

}  // namespace agentsudo::server::postgres
