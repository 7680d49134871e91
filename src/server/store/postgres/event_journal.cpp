#include "server/store/postgres/event_journal.hpp"

#include "server/store/postgres/chain_append.hpp"
#include "server/store/postgres/change_notice.hpp"
#include "server/store/postgres/event_partitions.hpp"

namespace agentsudo::server::postgres {
namespace {

struct AgentNames {
  std::string id;
  std::string name;
};

AgentNames agent_names(Connection& conn, std::int64_t agent_rowid) {
  auto rows = conn.exec("SELECT uuid, name FROM agents WHERE id = $1", Params().add(agent_rowid));
  if (rows.empty())
    return {};
  return {rows.string(0, 0), rows.string(0, 1)};
}

audit::ChainedEvent chained_event(const JournalEvent& event, const AgentNames& agent) {
  audit::ChainedEvent chained;
  chained.event_id = event.event_id;
  chained.agent_id = agent.id;
  chained.agent_name = agent.name;
  chained.action = event.action;
  if (event.scope)
    chained.scope = *event.scope;
  chained.allowed = event.allowed;
  if (event.function_name)
    chained.function_name = *event.function_name;
  chained.metadata_json = event.metadata_json;
  chained.timestamp = event.timestamp;
  chained.received_at = event.received_at;
  return chained;
}

void insert_event(Connection& conn, const JournalEvent& event, const ChainLink& link) {
  conn.exec(
      "INSERT INTO events (seq, uuid, project_id, agent_id, action, scope, allowed, "
      "function_name, metadata, ts, received_at, chain_position, chain_hash) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      Params()
          .add(link.seq)
          .add(std::string_view(event.event_id))
          .add(event.project_rowid)
          .add(event.agent_rowid)
          .add(std::string_view(event.action))
          .add(event.scope)
          .add(event.allowed)
          .add(event.function_name)
          .add(std::string_view(event.metadata_json))
          .add(event.timestamp)
          .add(event.received_at)
          .add(link.position)
          .add_bytes(
              std::string_view(reinterpret_cast<const char*>(link.hash.data()), link.hash.size())));
  conn.exec("INSERT INTO event_ids (project_id, uuid, seq, received_at) VALUES ($1, $2, $3, $4)",
            Params()
                .add(event.project_rowid)
                .add(std::string_view(event.event_id))
                .add(link.seq)
                .add(event.received_at));
}

}  // namespace

std::int64_t append_journal_event(Connection& conn, const JournalEvent& event) {
  ChainAppend chain(conn);
  // The head's lock comes first: before the seq (commit order) and before
  // the partition, whose creation locks the events table (lock order).
  chain.lock_heads({event.project_rowid});
  ensure_event_partition(conn, utc_day(event.received_at));
  AgentNames agent = agent_names(conn, event.agent_rowid);
  ChainLink link = chain.link(event.project_rowid, chained_event(event, agent));
  insert_event(conn, event, link);
  chain.write_heads();
  publish_change(conn, StoreChange{StoreChange::Kind::kEvents, event.project_rowid, {}});
  return link.seq;
}

}  // namespace agentsudo::server::postgres
