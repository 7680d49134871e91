#include "server/store/migration/sqlite_to_postgres.hpp"

#include <array>
#include <set>
#include <string_view>

#include "core/timestamp.hpp"
#include "server/store/migration/event_digest.hpp"
#include "server/store/migration/table_copy.hpp"
#include "server/store/migration/target_check.hpp"
#include "server/store/postgres/errors.hpp"
#include "server/store/postgres/event_partitions.hpp"
#include "server/store/postgres/multi_row_insert.hpp"
#include "server/store/postgres/schema.hpp"
#include "server/store/sqlite/schema.hpp"

namespace agentsudo::server::migration {
namespace {

// Every table of the SQLite schema, parents before children.
constexpr std::array<std::string_view, 23> kTables = {"projects",
                                                      "users",
                                                      "management_tokens",
                                                      "settings",
                                                      "api_keys",
                                                      "agents",
                                                      "sessions",
                                                      "project_members",
                                                      "events",
                                                      "usage_daily",
                                                      "activity_buckets",
                                                      "agent_buckets",
                                                      "scope_buckets",
                                                      "scope_agent_buckets",
                                                      "agent_sessions",
                                                      "policy_changes",
                                                      "approvals",
                                                      "webhooks",
                                                      "webhook_deliveries",
                                                      "sdk_delivery",
                                                      "audit_chain_heads",
                                                      "audit_checkpoints",
                                                      "audit_retention_horizons"};

Error conflict(const std::vector<std::string>& found) {
  std::string message =
      "the target database already holds data that is not from this data directory: ";
  for (std::size_t i = 0; i < found.size(); ++i)
    message += (i ? ", " : "") + found[i];
  return make_error(ErrorKind::kConflict,
                    message + "; migrate into an empty database (nothing was written)");
}

// A table this build would not copy must not be left behind silently.
std::optional<Error> unknown_table(sqlite::Database& source) {
  sqlite::Statement select(source.handle(),
                           "SELECT name FROM sqlite_master WHERE type = 'table' "
                           "AND name NOT LIKE 'sqlite_%' ORDER BY name");
  while (select.step()) {
    std::string_view name = select.column_text(0);
    bool known = false;
    for (auto table : kTables)
      known = known || table == name;
    if (!known)
      return make_error(ErrorKind::kInvalidParameter,
                        "the source has a table this build does not copy: " + std::string(name));
  }
  return std::nullopt;
}

std::optional<Error> source_schema_mismatch(sqlite::Database& source) {
  int found = sqlite::schema_version(source);
  int known = sqlite::known_schema_version();
  if (found == known)
    return std::nullopt;
  return make_error(ErrorKind::kInvalidParameter,
                    "the data directory's schema is version " + std::to_string(found) +
                        ", this build's is " + std::to_string(known) +
                        (found < known ? ": run `agentsudo-server serve` on it once first"
                                       : ": use a build at least as new as the data directory"));
}

// Each chunk of events: their days' partitions first, then the rows that
// make a client's event_id a duplicate on PostgreSQL too.
void prepare_events(postgres::Connection& target, const TableShape& shape,
                    const std::vector<Row>& rows) {
  auto project = *shape.index_of("project_id");
  auto uuid = *shape.index_of("uuid");
  auto seq = *shape.index_of("seq");
  auto received = *shape.index_of("received_at");
  std::set<std::int64_t> days;
  for (const auto& row : rows)
    days.insert(utc_day(std::stoll(*row[received])));
  for (auto day : days)
    postgres::ensure_event_partition(target, day);
  postgres::MultiRowInsert ids("INSERT INTO event_ids (project_id, uuid, seq, received_at)", 4,
                               "ON CONFLICT DO NOTHING");
  ids.run(target, rows.size(), [&](postgres::Params& params, std::size_t i) {
    params.add(std::string_view(*rows[i][project]))
        .add(std::string_view(*rows[i][uuid]))
        .add(std::string_view(*rows[i][seq]))
        .add(std::string_view(*rows[i][received]));
  });
}

// The next id or seq a node takes comes after every copied one.
void advance_sequences(postgres::Connection& target) {
  for (auto table : kTables) {
    std::string name(table);
    auto sequence = target.exec(
        "SELECT pg_get_serial_sequence(table_name, 'id') FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'",
        postgres::Params().add(name));
    if (sequence.empty() || sequence.is_null(0, 0))
      continue;
    target.exec("SELECT setval($1, coalesce((SELECT max(id) FROM " + name + "), 0) + 1, false)",
                postgres::Params().add(sequence.string(0, 0)));
  }
  target.exec("SELECT setval('events_seq', coalesce((SELECT max(seq) FROM events), 0) + 1, false)");
}

std::vector<TableCount> count_rows(sqlite::Database& source, postgres::Connection& target) {
  std::vector<TableCount> counts;
  for (auto table : kTables) {
    std::string name(table);
    sqlite::Statement select(source.handle(), "SELECT count(*) FROM " + name);
    select.step();
    TableCount count{name, select.column_int64(0),
                     target.exec("SELECT count(*) FROM " + name).int64(0, 0), name != "settings"};
    counts.push_back(count);
  }
  // Every event has its event_ids row, or a client's retry would be stored twice.
  std::int64_t events = 0;
  for (const auto& count : counts)
    if (count.table == "events")
      events = count.source;
  counts.push_back(
      {"event_ids", events, target.exec("SELECT count(*) FROM event_ids").int64(0, 0), true});
  return counts;
}

void record_source(postgres::Connection& target, const std::filesystem::path& sqlite_file) {
  target.exec(
      "INSERT INTO settings (name, value) VALUES ('migrated_from', $1) "
      "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
      postgres::Params().add_bytes(std::filesystem::absolute(sqlite_file).string()));
}

Result<MigrationReport> copy_all(sqlite::Database& source, postgres::Connection& target,
                                 const std::filesystem::path& sqlite_file,
                                 const MigrationOptions& options) {
  if (auto mismatch = source_schema_mismatch(source))
    return *mismatch;
  if (auto unknown = unknown_table(source))
    return *unknown;
  if (auto migrated = postgres::migrate(target); !migrated)
    return migrated.error();
  if (auto found = foreign_rows(source, target); !found.empty())
    return conflict(found);
  MigrationReport report;
  for (auto table : kTables) {
    auto shape = read_shape(source, target, std::string(table));
    std::optional<std::int64_t> budget;
    if (options.stop_after_rows)
      budget = *options.stop_after_rows - report.rows_copied;
    ChunkHook hook = table == "events" ? &prepare_events : nullptr;
    auto progress = copy_table(source, target, shape, options.chunk_rows, budget, hook);
    report.rows_copied += progress.rows;
    if (progress.stopped) {
      report.interrupted = true;
      return report;
    }
  }
  advance_sequences(target);
  record_source(target, sqlite_file);
  report.tables = count_rows(source, target);
  report.source_events_digest = sqlite_events_digest(source);
  report.target_events_digest = postgres_events_digest(target);
  return report;
}

}  // namespace

bool MigrationReport::matches() const {
  if (interrupted || source_events_digest != target_events_digest)
    return false;
  for (const auto& table : tables)
    if (!table.matches())
      return false;
  return true;
}

Result<MigrationReport> migrate_sqlite_to_postgres(const std::filesystem::path& sqlite_file,
                                                   const std::string& url,
                                                   const MigrationOptions& options) {
  return sqlite::translate_errors("migrate", [&]() -> Result<MigrationReport> {
    return postgres::translate_errors("migrate", [&]() -> Result<MigrationReport> {
      auto source = sqlite::Database::open_read_only(sqlite_file);
      auto target = postgres::Connection::open(url);
      // One read transaction: every table, count and digest from one snapshot.
      sqlite::ReadSnapshot snapshot(*source);
      return copy_all(*source, *target, sqlite_file, options);
    });
  });
}

}  // namespace agentsudo::server::migration
