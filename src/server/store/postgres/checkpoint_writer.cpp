#include "server/store/postgres/checkpoint_writer.hpp"

#include <vector>

#include "server/audit/checkpoint.hpp"

namespace agentsudo::server::postgres {
namespace {

struct DueHead {
  std::int64_t project_rowid = 0;
  audit::Checkpoint checkpoint;
};

// SKIP LOCKED (PostgreSQL-only) keeps two nodes from signing one head twice
// and the signer from waiting behind a writer.
std::vector<DueHead> due_heads(Connection& conn) {
  auto rows = conn.exec(
      "SELECT h.project_id, p.uuid, h.position, h.seq, h.hash FROM audit_chain_heads h "
      "JOIN projects p ON p.id = h.project_id WHERE h.position > coalesce("
      "(SELECT max(c.position) FROM audit_checkpoints c WHERE c.project_id = h.project_id), 0) "
      "ORDER BY h.project_id FOR UPDATE OF h SKIP LOCKED");
  std::vector<DueHead> due;
  for (int row = 0; row < rows.size(); ++row) {
    DueHead head;
    head.project_rowid = rows.int64(row, 0);
    head.checkpoint.project_id = rows.string(row, 1);
    head.checkpoint.position = rows.int64(row, 2);
    head.checkpoint.seq = rows.int64(row, 3);
    head.checkpoint.hash =
        audit::chain_hash_from_bytes(rows.bytes(row, 4)).value_or(audit::kGenesisHash);
    due.push_back(std::move(head));
  }
  return due;
}

}  // namespace

int write_due_checkpoints(Connection& conn, const audit::SigningKey& key, UnixMicros now) {
  Transaction tx(conn);
  auto due = due_heads(conn);
  for (auto& head : due) {
    head.checkpoint.signed_at = now;
    auto signed_checkpoint = audit::sign_checkpoint(head.checkpoint, key);
    conn.exec(
        "INSERT INTO audit_checkpoints (project_id, position, seq, hash, signed_at, signature) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        Params()
            .add(head.project_rowid)
            .add(signed_checkpoint.position)
            .add(signed_checkpoint.seq)
            .add_bytes(
                std::string_view(reinterpret_cast<const char*>(signed_checkpoint.hash.data()),
                                 signed_checkpoint.hash.size()))
            .add(now)
            .add_bytes(
                std::string_view(reinterpret_cast<const char*>(signed_checkpoint.signature.data()),
                                 signed_checkpoint.signature.size())));
  }
  tx.commit();
  return static_cast<int>(due.size());
}

}  // namespace agentsudo::server::postgres
