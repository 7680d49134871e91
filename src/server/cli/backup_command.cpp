#include "server/cli/backup_command.hpp"

#include <boost/json.hpp>
#include <iostream>

#include "server/cli/exit_status.hpp"
#include "server/store/sqlite/online_backup.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace agentsudo::server::cli {
namespace fs = std::filesystem;

namespace {

void print(const sqlite::BackupSummary& summary, const fs::path& from, const fs::path& to,
           bool as_json) {
  if (as_json) {
    std::cout << boost::json::serialize(boost::json::object{{"file", to.string()},
                                                            {"pages", summary.pages},
                                                            {"bytes", summary.bytes},
                                                            {"events", summary.events}})
              << "\n";
    return;
  }
  std::cout << "Backed up " << from.string() << " to " << to.string() << ": " << summary.events
            << " events, " << summary.pages << " pages (" << summary.bytes << " bytes)\n";
}

}  // namespace

int back_up(const BackupCommandOptions& options) {
  if (!options.database_url.empty())
    return fail(
        "backup copies a SQLite data directory; back up PostgreSQL with pg_dump "
        "(docs/DEPLOY.md)");
  std::error_code ec;
  if (!fs::is_directory(options.data_dir, ec))
    return fail("data directory " + options.data_dir.string() + " does not exist");
  fs::path from = sqlite::database_file(options.data_dir);
  if (!fs::exists(from, ec))
    return fail("no database in " + options.data_dir.string() + " (" + from.string() +
                " is missing)");
  if (options.to.empty())
    return fail("--to FILE is required");
  sqlite::BackupOptions backup;
  backup.overwrite = options.force;
  auto summary = sqlite::back_up_database(from, options.to, backup);
  if (!summary)
    return fail(summary.error().message);
  print(*summary, from, options.to, options.json);
  return kOk;
}

}  // namespace agentsudo::server::cli
