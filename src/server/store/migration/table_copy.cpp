#include "server/store/migration/table_copy.hpp"

#include <unordered_map>

#include "server/store/postgres/multi_row_insert.hpp"

namespace agentsudo::server::migration {
namespace {

std::unordered_map<std::string, ColumnType> target_columns(postgres::Connection& target,
                                                           const std::string& table) {
  auto rows = target.exec(
      "SELECT column_name, data_type FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND table_name = $1",
      postgres::Params().add(table));
  std::unordered_map<std::string, ColumnType> types;
  for (int row = 0; row < rows.size(); ++row)
    types[rows.string(row, 0)] =
        rows.text(row, 1) == "bytea" ? ColumnType::kBytes : ColumnType::kText;
  return types;
}

std::string column_list(const TableShape& shape) {
  std::string list;
  for (const auto& column : shape.columns)
    list += (list.empty() ? "" : ", ") + column.name;
  return list;
}

Row read_row(sqlite::Statement& select, const TableShape& shape) {
  Row row;
  row.reserve(shape.columns.size());
  for (std::size_t i = 0; i < shape.columns.size(); ++i) {
    int column = static_cast<int>(i);
    if (select.column_is_null(column))
      row.emplace_back(std::nullopt);
    else if (shape.columns[i].type == ColumnType::kBytes)
      row.emplace_back(std::string(select.column_blob(column)));
    else
      row.emplace_back(std::string(select.column_text(column)));
  }
  return row;
}

void insert_chunk(postgres::Connection& target, const TableShape& shape,
                  postgres::MultiRowInsert& insert, const std::vector<Row>& rows,
                  ChunkHook before_insert) {
  postgres::Transaction tx(target);
  if (before_insert)
    before_insert(target, shape, rows);
  insert.run(target, rows.size(), [&](postgres::Params& params, std::size_t index) {
    const Row& row = rows[index];
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (!row[i])
        params.add_null();
      else if (shape.columns[i].type == ColumnType::kBytes)
        params.add_bytes(*row[i]);
      else
        params.add(std::string_view(*row[i]));  // PostgreSQL parses it as the column's type
    }
  });
  tx.commit();
}

}  // namespace

std::optional<std::size_t> TableShape::index_of(const std::string& column) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == column)
      return i;
  return std::nullopt;
}

TableShape read_shape(sqlite::Database& source, postgres::Connection& target,
                      const std::string& table) {
  auto types = target_columns(target, table);
  TableShape shape{table, {}};
  // The table names come from our own list, never from input.
  sqlite::Statement info(source.handle(), "PRAGMA table_info(" + table + ")");
  while (info.step()) {
    std::string name(info.column_text(1));
    auto type = types.find(name);
    if (type == types.end())
      throw postgres::PgError(
          "", "the PostgreSQL table " + table + " has no column " + name + " (newer source?)");
    shape.columns.push_back({name, type->second});
  }
  if (table == "settings")
    shape.on_conflict = "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value";
  return shape;
}

CopyProgress copy_table(sqlite::Database& source, postgres::Connection& target,
                        const TableShape& shape, std::size_t chunk_rows,
                        std::optional<std::int64_t> budget, ChunkHook before_insert) {
  std::string columns = column_list(shape);
  postgres::MultiRowInsert insert("INSERT INTO " + shape.name + " (" + columns + ")",
                                  static_cast<int>(shape.columns.size()), shape.on_conflict);
  sqlite::Statement select(source.handle(), "SELECT " + columns + " FROM " + shape.name);
  CopyProgress progress;
  std::vector<Row> chunk;
  auto flush = [&] {
    insert_chunk(target, shape, insert, chunk, before_insert);
    progress.rows += static_cast<std::int64_t>(chunk.size());
    chunk.clear();
    progress.stopped = budget && progress.rows >= *budget;
  };
  while (!progress.stopped && select.step()) {
    chunk.push_back(read_row(select, shape));
    if (chunk.size() == chunk_rows)
      flush();
  }
  if (!progress.stopped && !chunk.empty())
    flush();
  return progress;
}

}  // namespace agentsudo::server::migration
