#include "server/store/sqlite/chain_append.hpp"

#include "server/store/chained_batch_event.hpp"

namespace agentsudo::server::sqlite {

ChainLink ChainAppend::propose(std::int64_t project_rowid, audit::ChainedEvent event) {
  if (!hashing_)
    return ChainLink{next_seq(), 0, {}};
  const Head& project = head(project_rowid);
  ChainLink link{next_seq(), project.position + 1, {}};
  event.project_id = project.project_id;
  event.position = link.position;
  event.seq = link.seq;
  encoding_.clear();
  audit::append_canonical_event(event, encoding_);
  link.hash = audit::next_chain_hash(project.hash, encoding_);
  return link;
}

void ChainAppend::accept(std::int64_t project_rowid, const ChainLink& link) {
  last_seq_ = link.seq;
  if (!hashing_)
    return;
  Head& project = head(project_rowid);
  project.position = link.position;
  project.seq = link.seq;
  project.hash = link.hash;
}

ChainLink ChainAppend::link(std::int64_t project_rowid, audit::ChainedEvent event) {
  ChainLink link = propose(project_rowid, std::move(event));
  accept(project_rowid, link);
  return link;
}

ChainLink ChainAppend::propose(const EventBatch& batch, std::size_t index,
                               std::string_view agent_id) {
  return propose(batch.project_rowid, chained_event_of(batch, index, agent_id));
}

void ChainAppend::write_heads() {
  auto upsert = db_.prepare_cached(
      "INSERT INTO audit_chain_heads (project_id, position, seq, hash) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (project_id) DO UPDATE SET position = excluded.position, "
      "seq = excluded.seq, hash = excluded.hash");
  for (const auto& [project_rowid, project] : heads_) {
    upsert->bind(1, project_rowid);
    upsert->bind(2, project.position);
    upsert->bind(3, project.seq);
    upsert->bind_blob(4, project.hash.data(), project.hash.size());
    upsert->run();
    upsert->reset();
  }
}

ChainAppend::Head& ChainAppend::head(std::int64_t project_rowid) {
  if (auto it = heads_.find(project_rowid); it != heads_.end())
    return it->second;
  Head project;
  auto row = db_.prepare_cached(
      "SELECT p.uuid, h.position, h.seq, h.hash FROM projects p "
      "LEFT JOIN audit_chain_heads h ON h.project_id = p.id WHERE p.id = ?");
  row->bind(1, project_rowid);
  if (row->step()) {
    project.project_id = row->column_text(0);
    if (!row->column_is_null(1)) {
      project.position = row->column_int64(1);
      project.seq = row->column_int64(2);
      project.hash =
          audit::chain_hash_from_bytes(row->column_blob(3)).value_or(audit::kGenesisHash);
    }
  }
  return heads_.emplace(project_rowid, std::move(project)).first->second;
}

// One writer at a time holds the write lock, so max(seq) + 1 is free and the
// seqs this transaction hands out are too. The seq is taken only on accept.
std::int64_t ChainAppend::next_seq() {
  if (last_seq_ < 0) {
    auto row = db_.prepare_cached("SELECT coalesce(max(seq), 0) FROM events");
    row->step();
    last_seq_ = row->column_int64(0);
  }
  return last_seq_ + 1;
}

ChainLink link_single_event(Database& db, std::int64_t project_rowid, std::int64_t agent_rowid,
                            audit::ChainedEvent event) {
  auto agent = db.prepare_cached("SELECT uuid, name FROM agents WHERE id = ?");
  agent->bind(1, agent_rowid);
  std::string agent_id;
  std::string agent_name;
  if (agent->step()) {
    agent_id = agent->column_text(0);
    agent_name = agent->column_text(1);
  }
  event.agent_id = agent_id;
  event.agent_name = agent_name;
  ChainAppend chain(db);
  ChainLink link = chain.link(project_rowid, event);
  chain.write_heads();
  return link;
}

}  // namespace agentsudo::server::sqlite
