#include "server/store/sqlite/checkpoint_writer.hpp"

#include <vector>

#include "server/audit/checkpoint.hpp"

namespace agentsudo::server::sqlite {
namespace {

struct DueHead {
  std::int64_t project_rowid = 0;
  audit::Checkpoint checkpoint;
};

std::vector<DueHead> due_heads(Database& db) {
  auto rows = db.prepare_cached(
      "SELECT h.project_id, p.uuid, h.position, h.seq, h.hash FROM audit_chain_heads h "
      "JOIN projects p ON p.id = h.project_id WHERE h.position > coalesce("
      "(SELECT max(c.position) FROM audit_checkpoints c WHERE c.project_id = h.project_id), 0)");
  std::vector<DueHead> due;
  while (rows->step()) {
    DueHead head;
    head.project_rowid = rows->column_int64(0);
    head.checkpoint.project_id = rows->column_text(1);
    head.checkpoint.position = rows->column_int64(2);
    head.checkpoint.seq = rows->column_int64(3);
    head.checkpoint.hash =
        audit::chain_hash_from_bytes(rows->column_blob(4)).value_or(audit::kGenesisHash);
    due.push_back(std::move(head));
  }
  return due;
}

}  // namespace

int write_due_checkpoints(Database& db, const audit::SigningKey& key, UnixMicros now) {
  Transaction tx(db);
  auto due = due_heads(db);
  auto insert = db.prepare_cached(
      "INSERT INTO audit_checkpoints (project_id, position, seq, hash, signed_at, signature) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  for (auto& head : due) {
    head.checkpoint.signed_at = now;
    auto signed_checkpoint = audit::sign_checkpoint(head.checkpoint, key);
    insert->bind(1, head.project_rowid);
    insert->bind(2, signed_checkpoint.position);
    insert->bind(3, signed_checkpoint.seq);
    insert->bind_blob(4, signed_checkpoint.hash.data(), signed_checkpoint.hash.size());
    insert->bind(5, now);
    insert->bind_blob(6, signed_checkpoint.signature.data(), signed_checkpoint.signature.size());
    insert->run();
    insert->reset();
  }
  tx.commit();
  return static_cast<int>(due.size());
}

}  // namespace agentsudo::server::sqlite
