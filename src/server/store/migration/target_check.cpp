#include "server/store/migration/target_check.hpp"

#include <cstdint>
#include <unordered_map>

namespace agentsudo::server::migration {
namespace {

// How many foreign rows of a table are named before "and N more".
constexpr std::size_t kNamed = 3;

std::unordered_map<std::int64_t, std::string> source_uuids(sqlite::Database& source,
                                                           const std::string& table) {
  std::unordered_map<std::int64_t, std::string> uuids;
  sqlite::Statement select(source.handle(), "SELECT id, uuid FROM " + table);
  while (select.step())
    uuids.emplace(select.column_int64(0), std::string(select.column_text(1)));
  return uuids;
}

void add_foreign_ids(sqlite::Database& source, postgres::Connection& target,
                     const std::string& table, const char* what, std::vector<std::string>& found) {
  auto known = source_uuids(source, table);
  auto rows = target.exec("SELECT id, uuid FROM " + table + " ORDER BY id");
  std::size_t foreign = 0;
  for (int row = 0; row < rows.size(); ++row) {
    auto match = known.find(rows.int64(row, 0));
    if (match != known.end() && match->second == rows.text(row, 1))
      continue;
    if (++foreign <= kNamed)
      found.push_back(std::string(what) + " " + rows.string(row, 1) + " (id " +
                      rows.string(row, 0) + ")");
  }
  if (foreign > kNamed)
    found.push_back(std::to_string(foreign - kNamed) + " more " + what + "s");
}

void add_foreign_events(sqlite::Database& source, postgres::Connection& target,
                        std::vector<std::string>& found) {
  sqlite::Statement last(source.handle(), "SELECT coalesce(max(seq), 0) FROM events");
  last.step();
  auto rows = target.exec("SELECT count(*) FROM events WHERE seq > $1",
                          postgres::Params().add(last.column_int64(0)));
  if (std::int64_t count = rows.int64(0, 0); count > 0)
    found.push_back(std::to_string(count) + " events after the source's last event");
}

}  // namespace

std::vector<std::string> foreign_rows(sqlite::Database& source, postgres::Connection& target) {
  std::vector<std::string> found;
  add_foreign_ids(source, target, "projects", "project", found);
  add_foreign_ids(source, target, "users", "user", found);
  add_foreign_ids(source, target, "agents", "agent", found);
  add_foreign_ids(source, target, "api_keys", "API key", found);
  add_foreign_ids(source, target, "management_tokens", "management token", found);
  add_foreign_events(source, target, found);
  return found;
}

}  // namespace agentsudo::server::migration
