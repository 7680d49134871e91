#include "server/store/postgres/multi_row_insert.hpp"

#include <bit>

namespace agentsudo::server::postgres {

namespace {

// Rows for the next statement: kMaxRows, then powers of two.
std::size_t chunk(std::size_t left) {
  return left >= MultiRowInsert::kMaxRows ? MultiRowInsert::kMaxRows : std::bit_floor(left);
}

}  // namespace

void MultiRowInsert::run(Connection& conn, std::size_t count,
                         const std::function<void(Params&, std::size_t)>& bind,
                         const std::function<void(const Rows&)>& returned) {
  for (std::size_t row = 0, rows = 0; row < count; row += rows) {
    rows = chunk(count - row);
    Params params;
    for (std::size_t i = 0; i < rows; ++i)
      bind(params, row + i);
    Rows result = conn.exec(sql(rows), params);
    if (returned)
      returned(result);
  }
}

void MultiRowInsert::queue(StatementPipeline& pipeline, std::size_t count,
                           const std::function<void(Params&, std::size_t)>& bind,
                           const StatementPipeline::RowsHandler& returned) {
  for (std::size_t row = 0, rows = 0; row < count; row += rows) {
    rows = chunk(count - row);
    Params params;
    for (std::size_t i = 0; i < rows; ++i)
      bind(params, row + i);
    pipeline.add(sql(rows), std::move(params), returned);
  }
}

const std::string& MultiRowInsert::sql(std::size_t rows) {
  if (auto it = sql_.find(rows); it != sql_.end())
    return it->second;
  std::string text = head_ + " VALUES ";
  int parameter = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    text += r == 0 ? "(" : ", (";
    for (int c = 0; c < columns_; ++c) {
      if (c > 0)
        text += ", ";
      text += "$" + std::to_string(parameter++);
    }
    text += ")";
  }
  if (!tail_.empty())
    text += " " + tail_;
  return sql_.emplace(rows, std::move(text)).first->second;
}

}  // namespace agentsudo::server::postgres
