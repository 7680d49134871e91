#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/store/postgres/connection.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::migration {

// How a column's value travels: PostgreSQL's type decides, since SQLite's
// affinity does not tell a BLOB column from a TEXT one reliably.
enum class ColumnType { kText, kBytes };

struct Column {
  std::string name;
  ColumnType type = ColumnType::kText;
};

// One table as both stores have it: the SQLite columns, typed by the
// PostgreSQL table of the same name (which has every one of them).
struct TableShape {
  std::string name;
  std::vector<Column> columns;
  // What an INSERT does with a row that is there: DO NOTHING keeps a rerun
  // from duplicating; settings are overwritten (the source's win).
  std::string on_conflict = "ON CONFLICT DO NOTHING";

  // The column's index, or nullopt.
  std::optional<std::size_t> index_of(const std::string& column) const;
};

// One row's values: nullopt is NULL; integers as their decimal text.
using Row = std::vector<std::optional<std::string>>;

// Reads the table's shape from both stores. Throws PgError / SqliteError;
// PgError (no SQLSTATE) naming the column when PostgreSQL lacks one.
TableShape read_shape(sqlite::Database& source, postgres::Connection& target,
                      const std::string& table);

// Called inside each chunk's transaction before its rows are inserted (the
// events make their partitions and fill event_ids here).
using ChunkHook = void (*)(postgres::Connection&, const TableShape&, const std::vector<Row>&);

// Copies rows in chunks of `chunk_rows`, one PostgreSQL transaction each.
// Returns the rows committed; stops early, after a committed chunk, once
// `budget` (rows this run may still write) is spent.
struct CopyProgress {
  std::int64_t rows = 0;
  bool stopped = false;
};
CopyProgress copy_table(sqlite::Database& source, postgres::Connection& target,
                        const TableShape& shape, std::size_t chunk_rows,
                        std::optional<std::int64_t> budget, ChunkHook before_insert = nullptr);

}  // namespace agentsudo::server::migration
