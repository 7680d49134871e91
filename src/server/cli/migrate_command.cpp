#include "server/cli/migrate_command.hpp"

#include <boost/json.hpp>
#include <iomanip>
#include <iostream>

#include "server/cli/exit_status.hpp"
#include "server/store/migration/sqlite_to_postgres.hpp"
#include "server/store/postgres/postgres_store.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace agentsudo::server::cli {
namespace fs = std::filesystem;

namespace {

boost::json::object to_json(const migration::MigrationReport& report, const fs::path& from,
                            const std::string& target) {
  boost::json::array tables;
  for (const auto& table : report.tables)
    tables.push_back(boost::json::object{{"table", table.table},
                                         {"source", table.source},
                                         {"target", table.target},
                                         {"matches", table.matches()}});
  return boost::json::object{
      {"source", from.string()},
      {"target", target},
      {"rows_copied", report.rows_copied},
      {"interrupted", report.interrupted},
      {"tables", std::move(tables)},
      {"events_digest", boost::json::object{{"source", report.source_events_digest},
                                            {"target", report.target_events_digest}}},
      {"matches", report.matches()}};
}

void print_text(const migration::MigrationReport& report, const fs::path& from,
                const std::string& target) {
  std::cout << "Copied " << from.string() << " to " << target << " (" << report.rows_copied
            << " rows sent; rows already there are skipped)\n";
  if (report.interrupted) {
    std::cout << "Stopped early: run the same command again to finish\n";
    return;
  }
  std::cout << std::left << std::setw(22) << "table" << std::right << std::setw(12) << "sqlite"
            << std::setw(12) << "postgres"
            << "\n";
  for (const auto& table : report.tables)
    std::cout << std::left << std::setw(22) << table.table << std::right << std::setw(12)
              << table.source << std::setw(12) << table.target
              << (table.matches() ? "" : "  MISMATCH") << "\n";
  std::cout << "events digest (sqlite)   " << report.source_events_digest << "\n"
            << "events digest (postgres) " << report.target_events_digest << "\n"
            << (report.matches() ? "Everything matches.\n" : "MISMATCH: do not switch over.\n");
}

}  // namespace

int migrate(const MigrateOptions& options) {
  std::error_code ec;
  fs::path from = sqlite::database_file(options.from_data_dir);
  if (!fs::exists(from, ec))
    return fail("no database in " + options.from_data_dir.string() + " (" + from.string() +
                " is missing)");
  if (options.to.empty())
    return fail("--to needs a PostgreSQL URL (postgres://...)");
  migration::MigrationOptions copy;
  copy.stop_after_rows = options.stop_after_rows;
  auto report = migration::migrate_sqlite_to_postgres(from, options.to, copy);
  // Never the URL itself: it may carry a password.
  std::string target = postgres::describe_database(options.to);
  if (!report)
    return fail("migrate to " + target + ": " + report.error().message);
  if (options.json)
    std::cout << boost::json::serialize(to_json(*report, from, target)) << "\n";
  else
    print_text(*report, from, target);
  if (report->interrupted)
    return fail("stopped after " + std::to_string(report->rows_copied) +
                " rows (--stop-after-rows); run it again to finish");
  return report->matches() ? kOk : fail("the copy does not match the source (see above)");
}

}  // namespace agentsudo::server::cli
