#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>

#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// One INSERT of many rows per statement: `INSERT INTO t (cols) VALUES
// ($1..$k), ($k+1..), ... <tail>`. Rows go in statements of at most
// kMaxRows; the rest in statements whose row counts are powers of two, so
// a connection prepares at most a dozen shapes per table rather than one
// per batch size.
class MultiRowInsert {
 public:
  static constexpr std::size_t kMaxRows = 256;

  // `head` is "INSERT INTO t (a, b, c)", `tail` e.g. "ON CONFLICT DO NOTHING
  // RETURNING a" or empty.
  MultiRowInsert(std::string head, int columns, std::string tail)
      : head_(std::move(head)), columns_(columns), tail_(std::move(tail)) {}

  // Inserts rows 0..count-1: `bind(params, row)` adds one row's `columns`
  // values; `returned(rows)` sees each statement's RETURNING rows, in order.
  void run(Connection& conn, std::size_t count,
           const std::function<void(Params&, std::size_t)>& bind,
           const std::function<void(const Rows&)>& returned = {});

 private:
  const std::string& sql(std::size_t rows);

  std::string head_;
  int columns_;
  std::string tail_;
  std::unordered_map<std::size_t, std::string> sql_;  // by row count
};

}  // namespace agentsudo::server::postgres
