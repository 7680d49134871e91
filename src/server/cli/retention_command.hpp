#pragma once

#include <filesystem>
#include <string>

namespace agentsudo::server::cli {

struct RetentionRunOptions {
  std::filesystem::path data_dir = "./data";
  // A PostgreSQL URL; empty: SQLite in data_dir (see StoreLocation).
  std::string database_url;
  bool json = false;
};

// `retention run`: one retention pass, as serve runs every
// --retention-interval, printing per project what it removed. Exit code 0
// when the pass ran (or another node held it), 1 when it failed.
int run_retention(const RetentionRunOptions& options);

}  // namespace agentsudo::server::cli
