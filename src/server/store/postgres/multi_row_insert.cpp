#include "server/store/postgres/multi_row_insert.hpp"

#include <bit>

namespace agentsudo::server::postgres {

void MultiRowInsert::run(Connection& conn, std::size_t count,
                         const std::function<void(Params&, std::size_t)>& bind,
                         const std::function<void(const Rows&)>& returned) {
  std::size_t row = 0;
  while (row < count) {
    std::size_t left = count - row;
    std::size_t rows = left >= kMaxRows ? kMaxRows : std::bit_floor(left);
    Params params;
    for (std::size_t i = 0; i < rows; ++i)
      bind(params, row + i);
    Rows result = conn.exec(sql(rows), params);
    if (returned)
      returned(result);
    row += rows;
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
