#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace agentsudo::server::cli {

struct SeedDemoOptions {
  std::filesystem::path data_dir = "./data";
  // A PostgreSQL URL; empty: SQLite in data_dir (see StoreLocation).
  std::string database_url;
  std::int64_t events = 100'000;
  std::string project = "demo";
  int days = 30;
  bool json = false;
};

// `seed-demo`: fills the named project (created on first use, its key
// printed once) with synthetic events ending now. Returns the exit code.
int seed_demo(const SeedDemoOptions& options);

}  // namespace agentsudo::server::cli
