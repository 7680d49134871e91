#pragma once

#include <cstdint>
#include <string>

#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// The name of the events partition for a UTC day (see utc_day()):
// events_YYYYMMDD.
std::string event_partition_name(std::int64_t day);

// Makes the day's events partition unless it exists, inside the caller's
// transaction, and returns whether this call made it. Two nodes may race
// here: the bookkeeping row in event_partitions is claimed first (ON
// CONFLICT DO NOTHING), so the loser waits for the winner's commit, finds
// the row, and creates nothing. Creating a partition locks the events table
// until the commit, so a writer calls this in a short transaction of its
// own, ahead of need; the journals call it in theirs only on a day nothing
// made ahead. Throws PgError.
bool ensure_event_partition(Connection& conn, std::int64_t day);

}  // namespace agentsudo::server::postgres
