#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace agentsudo::server::cli {

struct MigrateOptions {
  std::filesystem::path from_data_dir;
  std::string to;  // a PostgreSQL URL
  bool json = false;
  // Tests only (hidden): stop after this many rows, as an interruption would.
  std::optional<std::int64_t> stop_after_rows;
};

// `migrate`: copies a SQLite data directory's store into a PostgreSQL
// database (docs/DEPLOY.md, "Moving from SQLite to PostgreSQL") and prints
// each table's rows on both sides and both digests of the events. Exit code
// 0 when everything matches; 1 when it does not, when the copy stopped, or
// when the target holds other data (nothing written then).
int migrate(const MigrateOptions& options);

}  // namespace agentsudo::server::cli
