#include "server/store/sqlite/sqlite_delivery_store.hpp"

#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

SqliteDeliveryStore::SqliteDeliveryStore(std::shared_ptr<ConnectionPool> readers)
    : readers_(std::move(readers)) {}

Result<std::vector<InstanceDay>> SqliteDeliveryStore::instance_days(std::int64_t project_rowid,
                                                                    std::int64_t since_day,
                                                                    std::size_t max_instances) {
  return translate_errors("read SDK delivery", [&]() -> Result<std::vector<InstanceDay>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(
        "SELECT instance_id, day, events, min_seq, max_seq, dropped FROM sdk_delivery "
        "WHERE project_id = ?1 AND instance_id IN (SELECT instance_id FROM sdk_delivery "
        "WHERE project_id = ?1 AND day >= ?2 GROUP BY instance_id ORDER BY max(day) DESC "
        "LIMIT ?3) ORDER BY instance_id, day");
    rows->bind(1, project_rowid);
    rows->bind(2, since_day);
    rows->bind(3, static_cast<std::int64_t>(max_instances));
    std::vector<InstanceDay> days;
    while (rows->step()) {
      InstanceDay day;
      day.instance_id = rows->column_text(0);
      day.day = rows->column_int64(1);
      day.events = rows->column_int64(2);
      if (!rows->column_is_null(3)) {
        day.min_sequence = rows->column_int64(3);
        day.max_sequence = rows->column_int64(4);
      }
      day.dropped = rows->column_int64(5);
      days.push_back(std::move(day));
    }
    return days;
  });
}

// Per instance: its highest drop report, and its highest sequence less the
// numbered events stored (each stored once, so each a distinct number).
Result<DeliveryTotals> SqliteDeliveryStore::totals() {
  return translate_errors("read SDK delivery", [&]() -> Result<DeliveryTotals> {
    auto db = readers_->acquire();
    auto row = db->prepare_cached(
        "SELECT coalesce(sum(dropped), 0), coalesce(sum(gaps), 0) FROM ("
        "SELECT max(dropped) AS dropped, max(0, coalesce(max(max_seq), 0) - sum(events)) AS gaps "
        "FROM sdk_delivery GROUP BY project_id, instance_id)");
    DeliveryTotals totals;
    if (row->step()) {
      totals.dropped = row->column_int64(0);
      totals.gaps = row->column_int64(1);
    }
    return totals;
  });
}

}  // namespace agentsudo::server::sqlite
