#include "server/store/postgres/chain_append.hpp"

#include <algorithm>

#include "server/store/chained_batch_event.hpp"

namespace agentsudo::server::postgres {

void ChainAppend::lock_heads(std::vector<std::int64_t> project_rowids) {
  std::sort(project_rowids.begin(), project_rowids.end());
  project_rowids.erase(std::unique(project_rowids.begin(), project_rowids.end()),
                       project_rowids.end());
  for (std::int64_t rowid : project_rowids) {
    if (heads_.contains(rowid))
      continue;
    auto locked = read_locked_head(rowid);
    if (!locked) {
      // A project's first writer makes its head row (position 0: no chain
      // yet); of two nodes racing here, the second waits for the first's
      // commit and then locks the row it made.
      conn_.exec(
          "INSERT INTO audit_chain_heads (project_id, position, seq, hash) "
          "VALUES ($1, 0, 0, $2) ON CONFLICT (project_id) DO NOTHING",
          Params().add(rowid).add_bytes(
              std::string_view(reinterpret_cast<const char*>(audit::kGenesisHash.data()),
                               audit::kGenesisHash.size())));
      locked = read_locked_head(rowid);
    }
    if (!locked)
      throw PgError("P0002", "no project with id " + std::to_string(rowid) + " to append to");
    heads_.emplace(rowid, std::move(*locked));
  }
}

std::optional<ChainAppend::Head> ChainAppend::read_locked_head(std::int64_t project_rowid) {
  auto rows = conn_.exec(
      "SELECT p.uuid, h.position, h.seq, h.hash FROM audit_chain_heads h "
      "JOIN projects p ON p.id = h.project_id WHERE h.project_id = $1 FOR UPDATE OF h",
      Params().add(project_rowid));
  if (rows.empty())
    return std::nullopt;
  Head head;
  head.project_id = rows.string(0, 0);
  head.position = rows.int64(0, 1);
  head.seq = rows.int64(0, 2);
  if (head.position > 0)
    head.hash = audit::chain_hash_from_bytes(rows.bytes(0, 3)).value_or(audit::kGenesisHash);
  return head;
}

std::vector<std::int64_t> ChainAppend::draw_seqs(std::int64_t count) {
  std::vector<std::int64_t> seqs;
  if (count <= 0)
    return seqs;
  auto rows =
      conn_.exec("SELECT nextval('events_seq') FROM generate_series(1, $1)", Params().add(count));
  seqs.reserve(static_cast<std::size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row)
    seqs.push_back(rows.int64(row, 0));
  std::sort(seqs.begin(), seqs.end());
  return seqs;
}

ChainLink ChainAppend::propose(std::int64_t project_rowid, std::int64_t seq,
                               audit::ChainedEvent event) {
  const Head& project = head(project_rowid);
  if (!hashing_)
    return ChainLink{seq, 0, {}};
  ChainLink link{seq, project.position + 1, {}};
  event.project_id = project.project_id;
  event.position = link.position;
  event.seq = link.seq;
  encoding_.clear();
  audit::append_canonical_event(event, encoding_);
  link.hash = audit::next_chain_hash(project.hash, encoding_);
  return link;
}

ChainLink ChainAppend::propose(const EventBatch& batch, std::size_t index,
                               std::string_view agent_id, std::int64_t seq) {
  return propose(batch.project_rowid, seq, chained_event_of(batch, index, agent_id));
}

void ChainAppend::accept(std::int64_t project_rowid, const ChainLink& link) {
  if (!hashing_)
    return;
  Head& project = head(project_rowid);
  project.position = link.position;
  project.seq = link.seq;
  project.hash = link.hash;
  project.moved = true;
}

ChainLink ChainAppend::link(std::int64_t project_rowid, audit::ChainedEvent event) {
  head(project_rowid);  // locked before the seq is drawn
  ChainLink link = propose(project_rowid, draw_seqs(1).front(), std::move(event));
  accept(project_rowid, link);
  return link;
}

void ChainAppend::write_heads() {
  StatementPipeline pipeline(conn_);
  write_heads(pipeline);
  pipeline.run();
}

void ChainAppend::write_heads(StatementPipeline& pipeline) {
  for (auto& [project_rowid, project] : heads_) {
    if (!project.moved)
      continue;
    pipeline.add(
        "UPDATE audit_chain_heads SET position = $2, seq = $3, hash = $4 WHERE project_id = $1",
        Params()
            .add(project_rowid)
            .add(project.position)
            .add(project.seq)
            .add_bytes(std::string_view(reinterpret_cast<const char*>(project.hash.data()),
                                        project.hash.size())));
    project.moved = false;
  }
}

// A project whose head was not locked up front is locked now; seqs drawn
// before this are not in commit order for it.
ChainAppend::Head& ChainAppend::head(std::int64_t project_rowid) {
  if (auto it = heads_.find(project_rowid); it != heads_.end())
    return it->second;
  lock_heads({project_rowid});
  return heads_.at(project_rowid);
}

}  // namespace agentsudo::server::postgres
