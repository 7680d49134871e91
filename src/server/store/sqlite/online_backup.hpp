#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>

#include "server/model/error.hpp"

namespace agentsudo::server::sqlite {

// What a backup copied: one consistent snapshot of the database.
struct BackupSummary {
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
  std::int64_t events = 0;  // events in the snapshot copied
};

struct BackupOptions {
  // Pages copied per step; between steps the copy sleeps `pause`, so that it
  // shares the disk with a server writing to the same database.
  int pages_per_step = 256;
  std::chrono::milliseconds pause{5};
  // Replace `to` when it exists (otherwise that is refused).
  bool overwrite = false;
};

// Copies the database `from` into the file `to` with SQLite's online backup
// API while other processes keep writing to it. The copy is of one snapshot:
// a read transaction held for the whole copy (WAL lets writers go on beside
// it) keeps every step on the same version. The copy is written to `to` +
// ".tmp", fsynced, and renamed over `to` only when complete.
// Errors: kNotFound when `from` does not exist, kConflict when `to` exists
// and `overwrite` is not set, kInternal (or kStorageFull) when the copy fails.
Result<BackupSummary> back_up_database(const std::filesystem::path& from,
                                       const std::filesystem::path& to,
                                       const BackupOptions& options);

}  // namespace agentsudo::server::sqlite
