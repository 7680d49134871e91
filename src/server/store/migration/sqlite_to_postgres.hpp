#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "server/model/error.hpp"

namespace agentsudo::server::migration {

struct MigrationOptions {
  // Rows per PostgreSQL transaction: what a rerun after an interruption
  // finds committed is whole chunks.
  std::size_t chunk_rows = 5'000;
  // Tests only: stop once this many rows are committed, as an interruption
  // would (the report says interrupted).
  std::optional<std::int64_t> stop_after_rows;
};

// One table's rows on each side after the copy.
struct TableCount {
  std::string table;
  std::int64_t source = 0;
  std::int64_t target = 0;
  // False for settings: the target may hold rows of its own first start.
  bool exact = true;
  bool matches() const { return exact ? source == target : target >= source; }
};

struct MigrationReport {
  std::vector<TableCount> tables;
  std::int64_t rows_copied = 0;  // sent this run, including rows a rerun found there
  bool interrupted = false;      // stopped by stop_after_rows: no counts, no digests
  std::string source_events_digest;
  std::string target_events_digest;
  bool matches() const;
};

// Copies the SQLite store in `sqlite_file` into the PostgreSQL database at
// `url` (migrated to this build's schema first), every table in foreign-key
// order with ids kept, then moves the target's sequences past the copied
// ids and compares row counts and the events' digests. The source is opened
// read-only and read in one snapshot (a server may keep running on it; what
// it writes after the snapshot is not copied). A rerun skips what an
// earlier run committed. kConflict, writing nothing, when the target holds
// rows that are not this source's (see foreign_rows); kInvalidParameter
// when the source's schema is not this build's.
Result<MigrationReport> migrate_sqlite_to_postgres(const std::filesystem::path& sqlite_file,
                                                   const std::string& url,
                                                   const MigrationOptions& options);

}  // namespace agentsudo::server::migration
