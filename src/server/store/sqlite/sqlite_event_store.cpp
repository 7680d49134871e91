#include "server/store/sqlite/sqlite_event_store.hpp"

#include "core/uuid.hpp"

namespace agentsudo::server::sqlite {
namespace {

// Bounds the agent cache; a project with more distinct agents than this just
// pays a lookup for the cold ones.
constexpr std::size_t kMaxCachedAgents = 100'000;

StoredEvent read_event(Statement& row) {
  StoredEvent event;
  event.seq = row.column_int64(0);
  event.id = row.column_text(1);
  event.agent_id = row.column_text(2);
  event.agent_name = row.column_text(3);
  event.action = row.column_text(4);
  event.scope = row.column_optional_text(5);
  event.allowed = row.column_int64(6) != 0;
  event.function_name = row.column_optional_text(7);
  event.metadata_json = row.column_text(8);
  event.timestamp = row.column_int64(9);
  event.received_at = row.column_int64(10);
  return event;
}

// Builds the WHERE clause for the filters that are set, in bind order.
std::string query_sql(const EventQuery& q) {
  std::string sql =
      "SELECT e.seq, e.uuid, a.uuid, a.name, e.action, e.scope, e.allowed, e.function_name, "
      "e.metadata, e.ts, e.received_at FROM events e JOIN agents a ON a.id = e.agent_id "
      "WHERE e.project_id = ?";
  if (q.before_seq)
    sql += " AND e.seq < ?";
  if (q.agent_name)
    sql += " AND a.name = ?";
  if (q.scope)
    sql += " AND e.scope = ?";
  if (q.action)
    sql += " AND e.action = ?";
  if (q.allowed)
    sql += " AND e.allowed = ?";
  if (q.since)
    sql += " AND e.ts >= ?";
  if (q.until)
    sql += " AND e.ts < ?";
  sql += " ORDER BY e.seq DESC LIMIT ?";
  return sql;
}

void bind_query(Statement& statement, const EventQuery& q) {
  int index = 1;
  statement.bind(index++, q.project_rowid);
  if (q.before_seq)
    statement.bind(index++, *q.before_seq);
  if (q.agent_name)
    statement.bind(index++, std::string_view(*q.agent_name));
  if (q.scope)
    statement.bind(index++, std::string_view(*q.scope));
  if (q.action)
    statement.bind(index++, std::string_view(*q.action));
  if (q.allowed)
    statement.bind(index++, std::int64_t{*q.allowed ? 1 : 0});
  if (q.since)
    statement.bind(index++, *q.since);
  if (q.until)
    statement.bind(index++, *q.until);
  statement.bind(index, static_cast<std::int64_t>(q.limit));
}

}  // namespace

SqliteEventStore::SqliteEventStore(std::unique_ptr<Database> writer,
                                   std::shared_ptr<ConnectionPool> readers)
    : writer_(std::move(writer)), readers_(std::move(readers)) {}

Status SqliteEventStore::append(std::span<EventBatch* const> batches,
                                std::span<CommittedBatch> committed) {
  agents_added_.clear();
  auto status = translate_errors("store events", [&]() -> Status {
    append_in_transaction(batches, committed);
    return {};
  });
  if (!status) {
    for (const auto& key : agents_added_)
      agents_.erase(key);
  }
  return status;
}

void SqliteEventStore::append_in_transaction(std::span<EventBatch* const> batches,
                                             std::span<CommittedBatch> committed) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> usage;
  Transaction tx(*writer_);
  auto insert = writer_->prepare_cached(
      "INSERT INTO events (uuid, project_id, agent_id, action, scope, allowed, function_name, "
      "metadata, ts, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (std::size_t b = 0; b < batches.size(); ++b) {
    const EventBatch& batch = *batches[b];
    auto& agent_ids = committed[b].agent_ids;
    agent_ids.clear();
    agent_ids.reserve(batch.events.size());
    for (std::size_t i = 0; i < batch.events.size(); ++i) {
      const AgentRef& agent =
          resolve_agent(batch.project_rowid, batch.events[i].agent_name, batch.received_at);
      insert_event(*insert, batch, i, agent.rowid);
      agent_ids.push_back(agent.id);
    }
    usage[{batch.project_rowid, utc_day(batch.received_at)}] +=
        static_cast<std::int64_t>(batch.events.size());
  }
  add_usage(usage);
  tx.commit();
}

const SqliteEventStore::AgentRef& SqliteEventStore::resolve_agent(std::int64_t project_rowid,
                                                                  const std::string& name,
                                                                  UnixMicros now) {
  AgentKey key{project_rowid, name};
  if (auto it = agents_.find(key); it != agents_.end())
    return it->second;
  if (agents_.size() >= kMaxCachedAgents)
    agents_.clear();

  AgentRef agent{0, {}};
  {
    auto find =
        writer_->prepare_cached("SELECT id, uuid FROM agents WHERE project_id = ? AND name = ?");
    find->bind(1, project_rowid);
    find->bind(2, std::string_view(name));
    if (find->step())
      agent = AgentRef{find->column_int64(0), std::string(find->column_text(1))};
  }
  if (agent.rowid == 0) {
    agent.id = make_uuid_v7(now / 1000);
    auto insert = writer_->prepare_cached(
        "INSERT INTO agents (uuid, project_id, name, created_at) VALUES (?, ?, ?, ?)");
    insert->bind(1, agent.id);
    insert->bind(2, project_rowid);
    insert->bind(3, std::string_view(name));
    insert->bind(4, now);
    insert->run();
    agent.rowid = writer_->last_insert_rowid();
  }
  agents_added_.push_back(key);
  return agents_.emplace(std::move(key), std::move(agent)).first->second;
}

// The batch outlives the statement's use, so its strings are bound borrowed.
void SqliteEventStore::insert_event(Statement& insert, const EventBatch& batch, std::size_t index,
                                    std::int64_t agent_rowid) {
  const Event& event = batch.events[index];
  insert.bind_borrowed(1, std::string_view(batch.event_ids[index]));
  insert.bind(2, batch.project_rowid);
  insert.bind(3, agent_rowid);
  insert.bind_borrowed(4, std::string_view(event.action));
  insert.bind_borrowed(5, event.scope);
  insert.bind(6, std::int64_t{event.allowed ? 1 : 0});
  insert.bind_borrowed(7, event.function_name);
  insert.bind_borrowed(8, std::string_view(event.metadata_json));
  insert.bind(9, event.timestamp.value_or(batch.received_at));
  insert.bind(10, batch.received_at);
  insert.run();
  insert.reset();
}

void SqliteEventStore::add_usage(
    const std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t>& usage) {
  auto upsert = writer_->prepare_cached(
      "INSERT INTO usage_daily (project_id, day, events) VALUES (?, ?, ?) "
      "ON CONFLICT (project_id, day) DO UPDATE SET events = events + excluded.events");
  for (const auto& [key, count] : usage) {
    upsert->bind(1, key.first);
    upsert->bind(2, key.second);
    upsert->bind(3, count);
    upsert->run();
    upsert->reset();
  }
}

Result<std::vector<StoredEvent>> SqliteEventStore::query(const EventQuery& q) {
  return translate_errors("read events", [&]() -> Result<std::vector<StoredEvent>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(query_sql(q));
    bind_query(*rows, q);
    std::vector<StoredEvent> events;
    events.reserve(q.limit);
    while (rows->step())
      events.push_back(read_event(*rows));
    return events;
  });
}

}  // namespace agentsudo::server::sqlite
