#include "server/store/sqlite/sqlite_event_store.hpp"

#include <algorithm>

#include "core/uuid.hpp"
#include "server/store/sqlite/chain_append.hpp"
#include "server/store/sqlite/checkpoint_writer.hpp"

namespace agentsudo::server::sqlite {
namespace {

// Bounds the agent cache; a project with more distinct agents than this just
// pays a lookup for the cold ones.
constexpr std::size_t kMaxCachedAgents = 100'000;
constexpr UnixMicros kMicrosPerMinute = 60 * kMicrosPerSecond;

bool has_column(Database& db, const std::string& table, std::string_view column) {
  auto info = db.prepare_cached("SELECT name FROM pragma_table_info(?)");
  info->bind(1, std::string_view(table));
  while (info->step()) {
    if (info->column_text(0) == column)
      return true;
  }
  return false;
}

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
  if (!row.column_is_null(11)) {
    event.chain_position = row.column_int64(11);
    event.chain_hash = row.column_blob(12);
  }
  return event;
}

// Builds the WHERE clause for the filters that are set, in bind order.
std::string query_sql(const EventQuery& q) {
  std::string sql =
      "SELECT e.seq, e.uuid, a.uuid, a.name, e.action, e.scope, e.allowed, e.function_name, "
      "e.metadata, e.ts, e.received_at, e.chain_position, e.chain_hash "
      "FROM events e JOIN agents a ON a.id = e.agent_id "
      "WHERE e.project_id = ?";
  if (q.before_seq)
    sql += " AND e.seq < ?";
  if (q.agent_name)
    sql += " AND a.name = ?";
  if (q.scope)
    sql += " AND e.scope = ?";
  if (q.action)
    sql += " AND e.action = ?";
  if (q.function_name)
    sql += " AND e.function_name = ?";
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
  if (q.function_name)
    statement.bind(index++, std::string_view(*q.function_name));
  if (q.allowed)
    statement.bind(index++, std::int64_t{*q.allowed ? 1 : 0});
  if (q.since)
    statement.bind(index++, *q.since);
  if (q.until)
    statement.bind(index++, *q.until);
  statement.bind(index, static_cast<std::int64_t>(q.limit));
}

void bind_bucket(Statement& statement, const BucketKey& key) {
  statement.bind(1, key.project_rowid);
  statement.bind(2, static_cast<std::int64_t>(key.period));
  statement.bind(3, key.bucket);
}

}  // namespace

SqliteEventStore::SqliteEventStore(std::unique_ptr<Database> writer,
                                   std::shared_ptr<ConnectionPool> readers,
                                   std::shared_ptr<const audit::SigningKey> signing_key,
                                   bool chain_events)
    : writer_(std::move(writer)),
      readers_(std::move(readers)),
      signing_key_(std::move(signing_key)),
      chain_events_(chain_events) {
  has_agent_last_seen_ = has_column(*writer_, "agents", "last_seen_at");
  has_key_last_used_ = has_column(*writer_, "api_keys", "last_used_at");
}

Status SqliteEventStore::append(std::span<EventBatch* const> batches,
                                std::span<CommittedBatch> committed) {
  agents_added_.clear();
  agents_seen_.clear();
  keys_used_.clear();
  auto status = translate_errors("store events", [&]() -> Status {
    append_in_transaction(batches, committed);
    return {};
  });
  if (!status) {
    for (const auto& key : agents_added_)
      agents_.erase(key);
    return status;
  }
  remember_seen(agent_seen_minute_, agents_seen_);
  remember_seen(key_used_minute_, keys_used_);
  return status;
}

void SqliteEventStore::append_in_transaction(std::span<EventBatch* const> batches,
                                             std::span<CommittedBatch> committed) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> usage;
  tally_.clear();
  delivery_.clear();
  Transaction tx(*writer_);
  ChainAppend chain(*writer_, chain_events_);
  auto insert = writer_->prepare_cached(
      "INSERT INTO events (uuid, project_id, agent_id, action, scope, allowed, function_name, "
      "metadata, ts, received_at, seq, chain_position, chain_hash) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (project_id, uuid) DO NOTHING");
  for (std::size_t b = 0; b < batches.size(); ++b) {
    const EventBatch& batch = *batches[b];
    auto& agent_ids = committed[b].agent_ids;
    agent_ids.clear();
    agent_ids.reserve(batch.events.size());
    std::int64_t day = utc_day(batch.received_at);
    committed[b].over_quota = false;
    std::int64_t& day_usage = usage[{batch.project_rowid, day}];
    std::int64_t stored_before = stored_on_day(batch.project_rowid, day) + day_usage;
    auto batch_size = static_cast<std::int64_t>(batch.events.size());
    if (batch.daily_quota && stored_before + batch_size > *batch.daily_quota) {
      committed[b].over_quota = true;
      committed[b].day_events = stored_before;
      continue;
    }
    std::int64_t inserted = 0;
    for (std::size_t i = 0; i < batch.events.size(); ++i) {
      const AgentRef* inserted_by = nullptr;
      if (auto stored = insert_unless_duplicate(*insert, chain, batch, i, inserted_by)) {
        agent_ids.push_back(stored->agent_id);
        committed[b].duplicates.emplace_back(i, std::move(*stored));
        continue;
      }
      const AgentRef& agent = *inserted_by;
      ++inserted;
      if (const Event& event = batch.events[i]; event.instance_id && event.sequence)
        delivery_.add_event(batch.project_rowid, *event.instance_id, day, *event.sequence);
      agent_ids.push_back(agent.id);
      tally_.add(batch.project_rowid, agent.rowid, batch.events[i],
                 batch.events[i].timestamp.value_or(batch.received_at));
      note_seen(agent_seen_minute_, agents_seen_, agent.rowid, batch.received_at);
    }
    day_usage += inserted;
    committed[b].day_events = stored_before + inserted;
    if (batch.drops)
      delivery_.add_dropped(batch.project_rowid, batch.drops->instance_id, day,
                            batch.drops->dropped);
    if (batch.api_key_rowid != 0)
      note_seen(key_used_minute_, keys_used_, batch.api_key_rowid, batch.received_at);
  }
  add_usage(usage);
  write_tally();
  write_delivery();
  if (has_agent_last_seen_)
    write_last_seen("UPDATE agents SET last_seen_at = ? WHERE id = ?", agents_seen_);
  if (has_key_last_used_)
    write_last_seen("UPDATE api_keys SET last_used_at = ? WHERE id = ?", keys_used_);
  chain.write_heads();
  tx.commit();
}

const SqliteEventStore::AgentRef* SqliteEventStore::resolve_agent(std::int64_t project_rowid,
                                                                  const std::string& name,
                                                                  UnixMicros now,
                                                                  bool register_new) {
  AgentKey key{project_rowid, name};
  if (auto it = agents_.find(key); it != agents_.end())
    return &it->second;
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
  if (agent.rowid == 0 && !register_new)
    return nullptr;
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
  return &agents_.emplace(std::move(key), std::move(agent)).first->second;
}

// A duplicate never registers an agent: for a name not seen yet the id is
// looked up first (rare), for a known one the insert itself finds it.
std::optional<StoredEvent> SqliteEventStore::insert_unless_duplicate(Statement& insert,
                                                                     ChainAppend& chain,
                                                                     const EventBatch& batch,
                                                                     std::size_t index,
                                                                     const AgentRef*& agent) {
  const Event& event = batch.events[index];
  const std::string& id = batch.event_ids[index];
  agent = resolve_agent(batch.project_rowid, event.agent_name, batch.received_at, !event.id);
  if (agent == nullptr) {
    if (auto stored = stored_event(batch.project_rowid, id))
      return stored;
    agent = resolve_agent(batch.project_rowid, event.agent_name, batch.received_at, true);
  }
  ChainLink link = chain.propose(batch, index, agent->id);
  if (insert_event(insert, batch, index, agent->rowid, link)) {
    chain.accept(batch.project_rowid, link);
    return std::nullopt;
  }
  auto stored = stored_event(batch.project_rowid, id);
  if (!stored)
    throw SqliteError(SQLITE_INTERNAL, "an event id in conflict names no stored event");
  return stored;
}

// The event the project holds with this id, stored by an earlier request or
// earlier in this transaction.
std::optional<StoredEvent> SqliteEventStore::stored_event(std::int64_t project_rowid,
                                                          std::string_view id) {
  auto find = writer_->prepare_cached(
      "SELECT e.seq, e.uuid, a.uuid, a.name, e.action, e.scope, e.allowed, e.function_name, "
      "e.metadata, e.ts, e.received_at, e.chain_position, e.chain_hash "
      "FROM events e JOIN agents a ON a.id = e.agent_id WHERE e.project_id = ? AND e.uuid = ?");
  find->bind(1, project_rowid);
  find->bind(2, id);
  if (!find->step())
    return std::nullopt;
  return read_event(*find);
}

// The batch outlives the statement's use, so its strings are bound borrowed.
// False when the project already holds an event with this id (nothing is
// written then).
bool SqliteEventStore::insert_event(Statement& insert, const EventBatch& batch, std::size_t index,
                                    std::int64_t agent_rowid, const ChainLink& link) {
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
  insert.bind(11, link.seq);
  if (link.position == 0) {
    insert.bind_null(12);
    insert.bind_null(13);
  } else {
    insert.bind(12, link.position);
    insert.bind_blob(13, link.hash.data(), link.hash.size());
  }
  insert.run();
  bool inserted = writer_->changes() == 1;
  insert.reset();
  return inserted;
}

// What earlier transactions counted for the project's day.
std::int64_t SqliteEventStore::stored_on_day(std::int64_t project_rowid, std::int64_t day) {
  auto find =
      writer_->prepare_cached("SELECT events FROM usage_daily WHERE project_id = ? AND day = ?");
  find->bind(1, project_rowid);
  find->bind(2, day);
  return find->step() ? find->column_int64(0) : 0;
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

// A day's lowest and highest sequence merge with what is stored; NULL (no
// numbered event yet) gives way to any number.
void SqliteEventStore::write_delivery() {
  auto upsert = writer_->prepare_cached(
      "INSERT INTO sdk_delivery (project_id, instance_id, day, events, min_seq, max_seq, dropped) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, instance_id, day) DO UPDATE SET "
      "events = events + excluded.events, "
      "min_seq = min(coalesce(min_seq, excluded.min_seq), coalesce(excluded.min_seq, min_seq)), "
      "max_seq = max(coalesce(max_seq, excluded.max_seq), coalesce(excluded.max_seq, max_seq)), "
      "dropped = max(dropped, excluded.dropped)");
  for (const auto& [key, count] : delivery_.days()) {
    upsert->bind(1, key.project_rowid);
    upsert->bind(2, std::string_view(key.instance_id));
    upsert->bind(3, key.day);
    upsert->bind(4, count.events);
    if (count.events == 0) {
      upsert->bind_null(5);
      upsert->bind_null(6);
    } else {
      upsert->bind(5, count.min_sequence);
      upsert->bind(6, count.max_sequence);
    }
    upsert->bind(7, count.dropped);
    upsert->run();
    upsert->reset();
  }
}

void SqliteEventStore::write_tally() {
  auto activity = writer_->prepare_cached(
      "INSERT INTO activity_buckets (project_id, period, bucket, allowed, denied) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id, period, bucket) DO UPDATE SET "
      "allowed = allowed + excluded.allowed, denied = denied + excluded.denied");
  for (const auto& [key, count] : tally_.activity()) {
    bind_bucket(*activity, key);
    activity->bind(4, count.allowed);
    activity->bind(5, count.denied);
    activity->run();
    activity->reset();
  }
  auto agents = writer_->prepare_cached(
      "INSERT INTO agent_buckets (project_id, period, bucket, agent_id, events, denials, "
      "last_active) VALUES (?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (project_id, period, bucket, agent_id) DO UPDATE SET "
      "events = events + excluded.events, denials = denials + excluded.denials, "
      "last_active = max(last_active, excluded.last_active)");
  for (const auto& [key, count] : tally_.agents()) {
    bind_bucket(*agents, key.first);
    agents->bind(4, key.second);
    agents->bind(5, count.events);
    agents->bind(6, count.denials);
    agents->bind(7, count.last_active);
    agents->run();
    agents->reset();
  }
  auto scopes = writer_->prepare_cached(
      "INSERT INTO scope_buckets (project_id, period, bucket, scope, requests, denials) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, period, bucket, scope) DO UPDATE SET "
      "requests = requests + excluded.requests, denials = denials + excluded.denials");
  for (const auto& [key, count] : tally_.scopes()) {
    bind_bucket(*scopes, key.first);
    scopes->bind(4, std::string_view(key.second));
    scopes->bind(5, count.requests);
    scopes->bind(6, count.denials);
    scopes->run();
    scopes->reset();
  }
  auto scope_agents = writer_->prepare_cached(
      "INSERT INTO scope_agent_buckets (project_id, period, bucket, scope, agent_id, requests, "
      "denials) VALUES (?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (project_id, period, bucket, scope, agent_id) DO UPDATE SET "
      "requests = requests + excluded.requests, denials = denials + excluded.denials");
  for (const auto& [key, count] : tally_.scope_agents()) {
    const auto& [bucket, scope, agent] = key;
    bind_bucket(*scope_agents, bucket);
    scope_agents->bind(4, std::string_view(scope));
    scope_agents->bind(5, agent);
    scope_agents->bind(6, count.requests);
    scope_agents->bind(7, count.denials);
    scope_agents->run();
    scope_agents->reset();
  }
  auto sessions = writer_->prepare_cached(
      "INSERT INTO agent_sessions (project_id, session_key, first_active, last_active) "
      "VALUES (?, ?, ?, ?) ON CONFLICT (project_id, session_key) DO UPDATE SET "
      "first_active = min(first_active, excluded.first_active), "
      "last_active = max(last_active, excluded.last_active)");
  for (const auto& [key, span] : tally_.sessions()) {
    sessions->bind(1, key.first);
    sessions->bind(2, static_cast<std::int64_t>(key.second));
    sessions->bind(3, span.first_active);
    sessions->bind(4, span.last_active);
    sessions->run();
    sessions->reset();
  }
}

void SqliteEventStore::note_seen(std::unordered_map<std::int64_t, std::int64_t>& written_minute,
                                 std::map<std::int64_t, UnixMicros>& pending, std::int64_t rowid,
                                 UnixMicros at) {
  auto written = written_minute.find(rowid);
  if (written != written_minute.end() && written->second >= at / kMicrosPerMinute)
    return;
  auto& latest = pending[rowid];
  latest = std::max(latest, at - at % kMicrosPerMinute);
}

void SqliteEventStore::write_last_seen(const char* sql,
                                       const std::map<std::int64_t, UnixMicros>& pending) {
  auto update = writer_->prepare_cached(sql);
  for (const auto& [rowid, at] : pending) {
    update->bind(1, at);
    update->bind(2, rowid);
    update->run();
    update->reset();
  }
}

void SqliteEventStore::remember_seen(std::unordered_map<std::int64_t, std::int64_t>& written_minute,
                                     const std::map<std::int64_t, UnixMicros>& pending) {
  if (written_minute.size() > kMaxCachedAgents)
    written_minute.clear();
  for (const auto& [rowid, at] : pending)
    written_minute[rowid] = at / kMicrosPerMinute;
}

Status SqliteEventStore::write_checkpoints() {
  if (!signing_key_)
    return {};
  return translate_errors("sign audit checkpoints", [&]() -> Status {
    write_due_checkpoints(*writer_, *signing_key_, SystemClock().now());
    return {};
  });
}

Result<std::vector<StoredEvent>> SqliteEventStore::tail(const TailQuery& q) {
  return translate_errors("read new events", [&]() -> Result<std::vector<StoredEvent>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(
        "SELECT e.seq, e.uuid, a.uuid, a.name, e.action, e.scope, e.allowed, e.function_name, "
        "e.metadata, e.ts, e.received_at, e.chain_position, e.chain_hash "
        "FROM events e JOIN agents a ON a.id = e.agent_id "
        "WHERE e.project_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?");
    rows->bind(1, q.project_rowid);
    rows->bind(2, q.after_seq);
    rows->bind(3, static_cast<std::int64_t>(q.limit));
    std::vector<StoredEvent> events;
    while (rows->step())
      events.push_back(read_event(*rows));
    return events;
  });
}

Result<std::int64_t> SqliteEventStore::last_seq(std::int64_t project_rowid) {
  return translate_errors("read the newest event", [&]() -> Result<std::int64_t> {
    auto db = readers_->acquire();
    auto row = db->prepare_cached("SELECT max(seq) FROM events WHERE project_id = ?");
    row->bind(1, project_rowid);
    row->step();
    return row->column_is_null(0) ? std::int64_t{0} : row->column_int64(0);
  });
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
