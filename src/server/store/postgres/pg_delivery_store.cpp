#include "server/store/postgres/pg_delivery_store.hpp"

#include "server/store/postgres/errors.hpp"

namespace agentsudo::server::postgres {

PgDeliveryStore::PgDeliveryStore(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

// Instances order bytewise (COLLATE "C") as in SQLite.
Result<std::vector<InstanceDay>> PgDeliveryStore::instance_days(std::int64_t project_rowid,
                                                                std::int64_t since_day,
                                                                std::size_t max_instances) {
  return translate_errors("read SDK delivery", [&]() -> Result<std::vector<InstanceDay>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(
        "SELECT instance_id, day, events, min_seq, max_seq, dropped FROM sdk_delivery "
        "WHERE project_id = $1 AND instance_id IN (SELECT instance_id FROM sdk_delivery "
        "WHERE project_id = $1 AND day >= $2 GROUP BY instance_id ORDER BY max(day) DESC "
        "LIMIT $3) ORDER BY instance_id COLLATE \"C\", day",
        Params().add(project_rowid).add(since_day).add(static_cast<std::int64_t>(max_instances)));
    std::vector<InstanceDay> days;
    for (int r = 0; r < rows.size(); ++r) {
      InstanceDay day;
      day.instance_id = rows.string(r, 0);
      day.day = rows.int64(r, 1);
      day.events = rows.int64(r, 2);
      if (!rows.is_null(r, 3)) {
        day.min_sequence = rows.int64(r, 3);
        day.max_sequence = rows.int64(r, 4);
      }
      day.dropped = rows.int64(r, 5);
      days.push_back(std::move(day));
    }
    return days;
  });
}

// Per instance: its highest drop report, and its highest sequence less the
// numbered events stored (each stored once, so each a distinct number).
Result<DeliveryTotals> PgDeliveryStore::totals() {
  return translate_errors("read SDK delivery", [&]() -> Result<DeliveryTotals> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(
        "SELECT coalesce(sum(dropped), 0), coalesce(sum(gaps), 0) FROM ("
        "SELECT max(dropped) AS dropped, "
        "greatest(0, coalesce(max(max_seq), 0) - sum(events)) AS gaps "
        "FROM sdk_delivery GROUP BY project_id, instance_id) AS instances");
    DeliveryTotals totals;
    if (!rows.empty()) {
      totals.dropped = rows.int64(0, 0);
      totals.gaps = rows.int64(0, 1);
    }
    return totals;
  });
}

}  // namespace agentsudo::server::postgres
