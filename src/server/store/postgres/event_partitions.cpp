#include "server/store/postgres/event_partitions.hpp"

#include <chrono>
#include <cstdio>

#include "core/timestamp.hpp"

namespace agentsudo::server::postgres {

std::string event_partition_name(std::int64_t day) {
  std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day}}};
  char name[32];
  std::snprintf(name, sizeof name, "events_%04d%02u%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return name;
}

bool ensure_event_partition(Connection& conn, std::int64_t day) {
  if (!conn.exec("SELECT 1 FROM event_partitions WHERE day = $1", Params().add(day)).empty())
    return false;
  std::string table = event_partition_name(day);
  auto claimed = conn.exec(
      "INSERT INTO event_partitions (day, table_name) VALUES ($1, $2) "
      "ON CONFLICT (day) DO NOTHING RETURNING day",
      Params().add(day).add(std::string_view(table)));
  if (claimed.empty())
    return false;
  // DDL takes no parameters; the name and bounds are made of numbers here.
  // IF NOT EXISTS covers a table left without its bookkeeping row.
  conn.exec_script("CREATE TABLE IF NOT EXISTS " + table +
                   " PARTITION OF events FOR VALUES FROM (" + std::to_string(day * kMicrosPerDay) +
                   ") TO (" + std::to_string((day + 1) * kMicrosPerDay) + ")");
  return true;
}

}  // namespace agentsudo::server::postgres
