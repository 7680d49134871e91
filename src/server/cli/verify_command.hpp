#pragma once

#include <filesystem>
#include <string>

namespace agentsudo::server::cli {

struct VerifyOptions {
  std::filesystem::path data_dir = "./data";
  // A PostgreSQL URL; empty: SQLite in data_dir (see StoreLocation).
  std::string database_url;
  std::string project_id;             // empty: every project
  std::filesystem::path export_file;  // set: check this NDJSON export offline instead
  std::string public_key;             // base64, or a file holding it; default: the data dir's key
  bool json = false;
};

// `verify`: walks each project's audit chain and checkpoints (or an export's)
// and names the first event that does not hold (docs/AUDIT.md). Exit code 0
// when everything verifies, 1 when something does not, 2 when it cannot
// check at all.
int verify(const VerifyOptions& options);

}  // namespace agentsudo::server::cli
