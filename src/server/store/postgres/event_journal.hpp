#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/timestamp.hpp"
#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

// An event written outside the commit writer: a policy or approval record.
struct JournalEvent {
  std::int64_t project_rowid = 0;
  std::int64_t agent_rowid = 0;
  std::string event_id;  // a fresh UUIDv7
  std::string action;
  std::optional<std::string> scope;
  bool allowed = false;
  std::optional<std::string> function_name;
  std::string metadata_json;
  UnixMicros timestamp = 0;
  UnixMicros received_at = 0;
};

// Inside the caller's transaction: locks the project's chain head (so that
// writers of one project, on any node, take seqs in commit order), takes the
// next seq, links the event into the chain, inserts it with its event_ids
// row (making its day's partition if needed), and moves the head. An audit
// record: no quota, no analytics. Returns the event's seq. Throws PgError.
std::int64_t append_journal_event(Connection& conn, const JournalEvent& event);

}  // namespace agentsudo::server::postgres
