#include "server/store/postgres/pg_audit_log.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "server/store/postgres/errors.hpp"
#include "server/store/postgres/read_snapshot.hpp"

namespace agentsudo::server::postgres {
namespace {

// Events are read in pages of this many, by seq, so memory stays bounded
// however long the chain is.
constexpr std::int64_t kPageSize = 2000;

std::string project_uuid(Connection& conn, std::int64_t project_rowid) {
  auto rows = conn.exec("SELECT uuid FROM projects WHERE id = $1", Params().add(project_rowid));
  return rows.empty() ? std::string() : rows.string(0, 0);
}

std::vector<audit::Checkpoint> read_checkpoints(Connection& conn, std::int64_t project_rowid,
                                                const std::string& project_id) {
  auto rows = conn.exec(
      "SELECT position, seq, hash, signed_at, signature FROM audit_checkpoints "
      "WHERE project_id = $1 ORDER BY position, id",
      Params().add(project_rowid));
  std::vector<audit::Checkpoint> checkpoints;
  for (int r = 0; r < rows.size(); ++r) {
    audit::Checkpoint checkpoint;
    checkpoint.project_id = project_id;
    checkpoint.position = rows.int64(r, 0);
    checkpoint.seq = rows.int64(r, 1);
    checkpoint.hash = audit::chain_hash_from_bytes(rows.bytes(r, 2)).value_or(audit::kGenesisHash);
    checkpoint.signed_at = rows.int64(r, 3);
    std::string signature = rows.bytes(r, 4);
    if (signature.size() == checkpoint.signature.size())
      std::copy(signature.begin(), signature.end(), checkpoint.signature.begin());
    checkpoints.push_back(std::move(checkpoint));
  }
  return checkpoints;
}

// The (position, seq, hash) row of a head or a horizon, if there is one.
std::optional<audit::ChainHead> head_of(const Rows& rows) {
  if (rows.empty())
    return std::nullopt;
  return audit::ChainHead{
      rows.int64(0, 0), rows.int64(0, 1),
      audit::chain_hash_from_bytes(rows.bytes(0, 2)).value_or(audit::kGenesisHash)};
}

// A head at position 0 is the row a project's first writer made before any
// chained event: as if there were no record, as in SQLite.
std::optional<audit::ChainHead> read_head(Connection& conn, std::int64_t project_rowid) {
  auto rows = conn.exec(
      "SELECT position, seq, hash FROM audit_chain_heads WHERE project_id = $1 AND position > 0",
      Params().add(project_rowid));
  return head_of(rows);
}

// Adds the page's events to the verifier; returns the last seq read, or
// nullopt when the page was the last.
std::optional<std::int64_t> walk_page(const Rows& rows, const std::string& project_id,
                                      audit::ChainVerifier& verifier) {
  std::int64_t last = 0;
  for (int r = 0; r < rows.size() && !verifier.done(); ++r) {
    std::string id = rows.string(r, 1);
    std::string agent_id = rows.string(r, 2);
    std::string agent_name = rows.string(r, 3);
    std::string action = rows.string(r, 4);
    auto scope = rows.optional_text(r, 5);
    auto function_name = rows.optional_text(r, 7);
    std::string metadata = rows.string(r, 8);
    audit::ChainedEvent event;
    event.project_id = project_id;
    event.seq = rows.int64(r, 0);
    event.event_id = id;
    event.agent_id = agent_id;
    event.agent_name = agent_name;
    event.action = action;
    if (scope)
      event.scope = *scope;
    event.allowed = rows.boolean(r, 6);
    if (function_name)
      event.function_name = *function_name;
    event.metadata_json = metadata;
    event.timestamp = rows.int64(r, 9);
    event.received_at = rows.int64(r, 10);
    std::optional<audit::ChainHash> hash;
    if (!rows.is_null(r, 11)) {
      event.position = rows.int64(r, 11);
      hash = audit::chain_hash_from_bytes(rows.bytes(r, 12));
    }
    verifier.add(event, hash);
    last = event.seq;
  }
  if (rows.size() < kPageSize || verifier.done())
    return std::nullopt;
  return last;
}

// Where retention cut the project's chain, if it did.
std::optional<audit::ChainHead> read_horizon(Connection& conn, std::int64_t project_rowid) {
  auto rows =
      conn.exec("SELECT position, seq, hash FROM audit_retention_horizons WHERE project_id = $1",
                Params().add(project_rowid));
  return head_of(rows);
}

// The whole log after `after_seq` as one query read through a cursor, so
// the database walks its index once instead of planning and starting a
// page query anew for every page (a million events: 125 s as pages).
void walk_events(Connection& conn, std::int64_t project_rowid, const std::string& project_id,
                 std::int64_t after_seq, audit::ChainVerifier& verifier) {
  // Both are numbers of ours, so the text is safe; DECLARE takes no
  // parameters through a prepared statement.
  conn.exec_script(
      "DECLARE chain_walk NO SCROLL CURSOR FOR "
      "SELECT e.seq, e.uuid, a.uuid, a.name, e.action, e.scope, e.allowed, e.function_name, "
      "e.metadata, e.ts, e.received_at, e.chain_position, e.chain_hash "
      "FROM events e JOIN agents a ON a.id = e.agent_id WHERE e.project_id = " +
      std::to_string(project_rowid) + " AND e.seq > " + std::to_string(after_seq) +
      " ORDER BY e.seq");
  while (walk_page(conn.exec("FETCH " + std::to_string(kPageSize) + " FROM chain_walk"), project_id,
                   verifier)) {
  }
  conn.exec_script("CLOSE chain_walk");
}

}  // namespace

audit::ChainReport verify_project_chain(Connection& conn, std::int64_t project_rowid,
                                        const audit::PublicKey& key) {
  ReadSnapshot snapshot(conn);
  std::string project_id = project_uuid(conn, project_rowid);
  audit::ChainVerifier verifier(project_id, key, read_checkpoints(conn, project_rowid, project_id));
  std::int64_t after_seq = 0;
  if (auto horizon = read_horizon(conn, project_rowid)) {
    verifier.start_after(*horizon);
    after_seq = horizon->seq;
  }
  walk_events(conn, project_rowid, project_id, after_seq, verifier);
  return verifier.finish(read_head(conn, project_rowid));
}

PgAuditLog::PgAuditLog(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

Result<audit::ChainReport> PgAuditLog::verify(std::int64_t project_rowid,
                                              const audit::PublicKey& key) {
  return translate_errors("verify the audit chain", [&]() -> Result<audit::ChainReport> {
    auto conn = pool_->acquire();
    return verify_project_chain(*conn, project_rowid, key);
  });
}

Result<std::vector<audit::Checkpoint>> PgAuditLog::checkpoints(std::int64_t project_rowid) {
  return translate_errors("read checkpoints", [&]() -> Result<std::vector<audit::Checkpoint>> {
    auto conn = pool_->acquire();
    ReadSnapshot snapshot(*conn);
    return read_checkpoints(*conn, project_rowid, project_uuid(*conn, project_rowid));
  });
}

}  // namespace agentsudo::server::postgres
