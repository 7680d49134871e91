#pragma once

#include <filesystem>
#include <string>

namespace agentsudo::server::cli {

struct BackupCommandOptions {
  std::filesystem::path data_dir = "./data";
  // A PostgreSQL URL; empty: SQLite in data_dir (see StoreLocation).
  std::string database_url;
  std::filesystem::path to;
  bool force = false;
  bool json = false;
};

// `backup`: copies the data directory's database into one file while a
// server may keep serving on it, and prints what it copied (pages, bytes,
// events). Returns the exit code.
int back_up(const BackupCommandOptions& options);

}  // namespace agentsudo::server::cli
