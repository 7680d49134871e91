#include "server/store/sqlite/sqlite_audit_log.hpp"

#include <optional>
#include <string>
#include <utility>

namespace agentsudo::server::sqlite {
namespace {

std::string project_uuid(Database& db, std::int64_t project_rowid) {
  auto row = db.prepare_cached("SELECT uuid FROM projects WHERE id = ?");
  row->bind(1, project_rowid);
  return row->step() ? std::string(row->column_text(0)) : std::string();
}

std::vector<audit::Checkpoint> read_checkpoints(Database& db, std::int64_t project_rowid,
                                                const std::string& project_id) {
  auto rows = db.prepare_cached(
      "SELECT position, seq, hash, signed_at, signature FROM audit_checkpoints "
      "WHERE project_id = ? ORDER BY position, id");
  rows->bind(1, project_rowid);
  std::vector<audit::Checkpoint> checkpoints;
  while (rows->step()) {
    audit::Checkpoint checkpoint;
    checkpoint.project_id = project_id;
    checkpoint.position = rows->column_int64(0);
    checkpoint.seq = rows->column_int64(1);
    checkpoint.hash =
        audit::chain_hash_from_bytes(rows->column_blob(2)).value_or(audit::kGenesisHash);
    checkpoint.signed_at = rows->column_int64(3);
    auto signature = rows->column_blob(4);
    if (signature.size() == checkpoint.signature.size())
      std::copy(signature.begin(), signature.end(), checkpoint.signature.begin());
    checkpoints.push_back(std::move(checkpoint));
  }
  return checkpoints;
}

std::optional<audit::ChainHead> read_head(Database& db, std::int64_t project_rowid) {
  auto row =
      db.prepare_cached("SELECT position, seq, hash FROM audit_chain_heads WHERE project_id = ?");
  row->bind(1, project_rowid);
  if (!row->step())
    return std::nullopt;
  return audit::ChainHead{
      row->column_int64(0), row->column_int64(1),
      audit::chain_hash_from_bytes(row->column_blob(2)).value_or(audit::kGenesisHash)};
}

void walk_events(Database& db, std::int64_t project_rowid, const std::string& project_id,
                 audit::ChainVerifier& verifier) {
  auto rows = db.prepare_cached(
      "SELECT e.seq, e.uuid, a.uuid, a.name, e.action, e.scope, e.allowed, e.function_name, "
      "e.metadata, e.ts, e.received_at, e.chain_position, e.chain_hash "
      "FROM events e JOIN agents a ON a.id = e.agent_id WHERE e.project_id = ? ORDER BY e.seq");
  rows->bind(1, project_rowid);
  while (!verifier.done() && rows->step()) {
    audit::ChainedEvent event;
    event.project_id = project_id;
    event.seq = rows->column_int64(0);
    event.event_id = rows->column_text(1);
    event.agent_id = rows->column_text(2);
    event.agent_name = rows->column_text(3);
    event.action = rows->column_text(4);
    if (!rows->column_is_null(5))
      event.scope = rows->column_text(5);
    event.allowed = rows->column_int64(6) != 0;
    if (!rows->column_is_null(7))
      event.function_name = rows->column_text(7);
    event.metadata_json = rows->column_text(8);
    event.timestamp = rows->column_int64(9);
    event.received_at = rows->column_int64(10);
    std::optional<audit::ChainHash> hash;
    if (!rows->column_is_null(11)) {
      event.position = rows->column_int64(11);
      hash = audit::chain_hash_from_bytes(rows->column_blob(12));
    }
    verifier.add(event, hash);
  }
}

}  // namespace

audit::ChainReport verify_project_chain(Database& db, std::int64_t project_rowid,
                                        const audit::PublicKey& key) {
  ReadSnapshot snapshot(db);
  std::string project_id = project_uuid(db, project_rowid);
  audit::ChainVerifier verifier(project_id, key, read_checkpoints(db, project_rowid, project_id));
  {
    auto horizon = db.prepare_cached(
        "SELECT position, seq, hash FROM audit_retention_horizons WHERE project_id = ?");
    horizon->bind(1, project_rowid);
    if (horizon->step()) {
      verifier.start_after(audit::ChainHead{
          horizon->column_int64(0), horizon->column_int64(1),
          audit::chain_hash_from_bytes(horizon->column_blob(2)).value_or(audit::kGenesisHash)});
    }
  }
  walk_events(db, project_rowid, project_id, verifier);
  return verifier.finish(read_head(db, project_rowid));
}

SqliteAuditLog::SqliteAuditLog(std::shared_ptr<ConnectionPool> readers)
    : readers_(std::move(readers)) {}

Result<audit::ChainReport> SqliteAuditLog::verify(std::int64_t project_rowid,
                                                  const audit::PublicKey& key) {
  return translate_errors("verify the audit chain", [&]() -> Result<audit::ChainReport> {
    auto db = readers_->acquire();
    return verify_project_chain(*db, project_rowid, key);
  });
}

Result<std::vector<audit::Checkpoint>> SqliteAuditLog::checkpoints(std::int64_t project_rowid) {
  return translate_errors("read checkpoints", [&]() -> Result<std::vector<audit::Checkpoint>> {
    auto db = readers_->acquire();
    ReadSnapshot snapshot(*db);
    return read_checkpoints(*db, project_rowid, project_uuid(*db, project_rowid));
  });
}

}  // namespace agentsudo::server::sqlite
