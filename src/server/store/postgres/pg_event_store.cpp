#include "server/store/postgres/pg_event_store.hpp"

#include <algorithm>

#include "core/uuid.hpp"
#include "server/model/clock.hpp"
#include "server/store/postgres/change_notice.hpp"
#include "server/store/postgres/checkpoint_writer.hpp"
#include "server/store/postgres/errors.hpp"
#include "server/store/postgres/event_partitions.hpp"

namespace agentsudo::server::postgres {
namespace {

// Bounds the agent cache; a project with more distinct agents than this just
// pays a lookup for the cold ones.
constexpr std::size_t kMaxCachedAgents = 100'000;
constexpr UnixMicros kMicrosPerMinute = 60 * kMicrosPerSecond;
// A transaction that lost a deadlock or serialization check is run again
// this many times in all before the batch fails.
constexpr int kAttempts = 3;

constexpr const char* kEventColumns =
    "SELECT e.seq, e.uuid, a.uuid, a.name, e.action, e.scope, e.allowed, e.function_name, "
    "e.metadata, e.ts, e.received_at, e.chain_position, e.chain_hash ";

StoredEvent read_event(const Rows& rows, int row) {
  StoredEvent event;
  event.seq = rows.int64(row, 0);
  event.id = rows.string(row, 1);
  event.agent_id = rows.string(row, 2);
  event.agent_name = rows.string(row, 3);
  event.action = rows.string(row, 4);
  event.scope = rows.optional_text(row, 5);
  event.allowed = rows.boolean(row, 6);
  event.function_name = rows.optional_text(row, 7);
  event.metadata_json = rows.string(row, 8);
  event.timestamp = rows.int64(row, 9);
  event.received_at = rows.int64(row, 10);
  if (!rows.is_null(row, 11)) {
    event.chain_position = rows.int64(row, 11);
    event.chain_hash = rows.bytes(row, 12);
  }
  return event;
}

std::vector<StoredEvent> read_events(const Rows& rows) {
  std::vector<StoredEvent> events;
  events.reserve(static_cast<std::size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row)
    events.push_back(read_event(rows, row));
  return events;
}

// The WHERE clause for the filters that are set, with their parameters in
// the same order.
std::string query_sql(const EventQuery& q, Params& params) {
  std::string sql = std::string(kEventColumns) +
                    "FROM events e JOIN agents a ON a.id = e.agent_id WHERE e.project_id = $1";
  params.add(q.project_rowid);
  auto filter = [&](const char* condition) {
    sql += " AND ";
    sql += condition;
    sql += std::to_string(params.size());
  };
  if (q.before_seq) {
    params.add(*q.before_seq);
    filter("e.seq < $");
  }
  if (q.agent_name) {
    params.add(std::string_view(*q.agent_name));
    filter("a.name = $");
  }
  if (q.scope) {
    params.add(std::string_view(*q.scope));
    filter("e.scope = $");
  }
  if (q.action) {
    params.add(std::string_view(*q.action));
    filter("e.action = $");
  }
  if (q.function_name) {
    params.add(std::string_view(*q.function_name));
    filter("e.function_name = $");
  }
  if (q.allowed) {
    params.add(*q.allowed);
    filter("e.allowed = $");
  }
  if (q.since) {
    params.add(*q.since);
    filter("e.ts >= $");
  }
  if (q.until) {
    params.add(*q.until);
    filter("e.ts < $");
  }
  params.add(static_cast<std::int64_t>(q.limit));
  sql += " ORDER BY e.seq DESC LIMIT $" + std::to_string(params.size());
  return sql;
}

std::string_view hash_bytes(const audit::ChainHash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

void add_bucket(Params& params, const BucketKey& key) {
  params.add(key.project_rowid).add(static_cast<std::int64_t>(key.period)).add(key.bucket);
}

// Queues one multi-row upsert over every entry of `map`.
template <typename Map, typename Bind>
void upsert_all(StatementPipeline& writes, const char* head, int columns, const char* tail,
                const Map& map, Bind bind) {
  if (map.empty())
    return;
  std::vector<typename Map::const_iterator> entries;
  entries.reserve(map.size());
  for (auto it = map.begin(); it != map.end(); ++it)
    entries.push_back(it);
  MultiRowInsert(head, columns, tail)
      .queue(writes, entries.size(),
             [&](Params& params, std::size_t row) { bind(params, *entries[row]); });
}

}  // namespace

PgEventStore::PgEventStore(std::unique_ptr<Connection> writer,
                           std::shared_ptr<ConnectionPool> readers,
                           std::shared_ptr<const audit::SigningKey> signing_key, bool chain_events)
    : writer_(std::move(writer)),
      readers_(std::move(readers)),
      signing_key_(std::move(signing_key)),
      chain_events_(chain_events),
      insert_ids_("INSERT INTO event_ids (project_id, uuid, seq, received_at)", 4,
                  "ON CONFLICT (project_id, uuid) DO NOTHING RETURNING seq"),
      insert_events_(
          "INSERT INTO events (seq, uuid, project_id, agent_id, action, scope, allowed, "
          "function_name, metadata, ts, received_at, chain_position, chain_hash)",
          13, "") {}

Status PgEventStore::append(std::span<EventBatch* const> batches,
                            std::span<CommittedBatch> committed) {
  auto status = translate_errors("store events", [&]() -> Status {
    if (!writer_->healthy()) {
      pipelined_.forget();
      writer_->reset();
    }
    for (int attempt = 1;; ++attempt) {
      try {
        append_in_transaction(batches, committed);
        return {};
      } catch (const PgError& e) {
        forget_added_agents();
        if (!e.retryable() || attempt == kAttempts)
          throw;
      }
    }
  });
  if (status) {
    remember_seen(agent_seen_minute_, agents_seen_);
    remember_seen(key_used_minute_, keys_used_);
  }
  return status;
}

void PgEventStore::forget_added_agents() {
  for (const auto& key : agents_added_)
    agents_.erase(key);
  agents_added_.clear();
}

// Each day's partition, and the next day's ahead of midnight, in short
// transactions of their own: making one locks the whole events table.
// Retention may drop a past day's partition (any node's), so only today's
// and later ones are taken from memory; a past day (a backdated import) is
// looked up every time.
void PgEventStore::make_partitions(std::span<EventBatch* const> batches) {
  std::int64_t today = utc_day(SystemClock().now());
  for (const EventBatch* batch : batches) {
    std::int64_t day = utc_day(batch->received_at);
    for (std::int64_t d : {day, day + 1}) {
      if (d >= today && partitions_.contains(d))
        continue;
      Transaction tx(*writer_);
      ensure_event_partition(*writer_, d);
      tx.commit();
      partitions_.insert(d);
    }
  }
}

void PgEventStore::append_in_transaction(std::span<EventBatch* const> batches,
                                         std::span<CommittedBatch> committed) {
  make_partitions(batches);
  agents_added_.clear();
  agents_seen_.clear();
  keys_used_.clear();
  tally_.clear();
  delivery_.clear();
  Transaction tx(*writer_);
  ChainAppend chain(*writer_, chain_events_);
  std::vector<std::int64_t> projects;
  for (const EventBatch* batch : batches)
    projects.push_back(batch->project_rowid);
  chain.lock_heads(std::move(projects));
  DayCounts stored;
  std::vector<bool> admitted = admit_within_quota(batches, committed, stored);
  std::vector<Slot> slots = claim_ids(batches, admitted, chain);
  // The writes nothing reads back go to the server in one round trip.
  StatementPipeline writes(*writer_, &pipelined_);
  link_fresh(batches, admitted, slots, chain, writes);
  insert_events(batches, slots, writes);
  write_tally(writes);
  write_delivery(writes);
  chain.write_heads(writes);
  publish_commits(batches, admitted, writes);
  writes.run();
  report(batches, slots, std::move(stored), committed);
  write_last_seen("agents", "last_seen_at", agents_seen_);
  write_last_seen("api_keys", "last_used_at", keys_used_);
  tx.commit();
}

// Which batches fit their project's daily quota. Read under the chain-head
// locks just taken: every writer of a project, on any node, holds its lock
// until it commits, so the counts cannot move before this commit does. A
// batch is checked whole against the stored count plus the earlier admitted
// batches of this commit (their duplicates counted too: they are known only
// after the claims, so the check errs on the side of the quota).
std::vector<bool> PgEventStore::admit_within_quota(std::span<EventBatch* const> batches,
                                                   std::span<CommittedBatch> committed,
                                                   DayCounts& stored) {
  for (const EventBatch* batch : batches) {
    auto key = std::pair(batch->project_rowid, utc_day(batch->received_at));
    if (stored.contains(key))
      continue;
    auto rows = writer_->exec("SELECT events FROM usage_daily WHERE project_id = $1 AND day = $2",
                              Params().add(key.first).add(key.second));
    stored[key] = rows.empty() ? 0 : rows.int64(0, 0);
  }
  DayCounts planned = stored;
  std::vector<bool> admitted(batches.size(), true);
  for (std::size_t b = 0; b < batches.size(); ++b) {
    const EventBatch& batch = *batches[b];
    std::int64_t& count = planned[{batch.project_rowid, utc_day(batch.received_at)}];
    auto size = static_cast<std::int64_t>(batch.events.size());
    committed[b].over_quota = batch.daily_quota && count + size > *batch.daily_quota;
    admitted[b] = !committed[b].over_quota;
    if (admitted[b])
      count += size;
  }
  return admitted;
}

// Tells the other nodes, at COMMIT, which projects have new events.
void PgEventStore::publish_commits(std::span<EventBatch* const> batches,
                                   const std::vector<bool>& admitted, StatementPipeline& writes) {
  std::set<std::int64_t> projects;
  for (std::size_t b = 0; b < batches.size(); ++b) {
    if (admitted[b])
      projects.insert(batches[b]->project_rowid);
  }
  for (std::int64_t project : projects) {
    writes.add("SELECT pg_notify($1, $2)",
               Params()
                   .add(kChangeChannel)
                   .add(encode_change(StoreChange{StoreChange::Kind::kEvents, project, {}})));
  }
}

// Gives every event a seq and claims its id in event_ids; the ids the
// project already held (stored earlier, by any node, or earlier in this
// transaction) come back unclaimed: those events are duplicates.
std::vector<PgEventStore::Slot> PgEventStore::claim_ids(std::span<EventBatch* const> batches,
                                                        const std::vector<bool>& admitted,
                                                        ChainAppend& chain) {
  std::vector<Slot> slots;
  for (std::size_t b = 0; b < batches.size(); ++b) {
    if (!admitted[b])
      continue;
    for (std::size_t i = 0; i < batches[b]->events.size(); ++i)
      slots.push_back(Slot{b, i, 0, false, {}, {}});
  }
  std::vector<std::int64_t> seqs = chain.draw_seqs(static_cast<std::int64_t>(slots.size()));
  for (std::size_t s = 0; s < slots.size(); ++s)
    slots[s].seq = seqs[s];
  std::set<std::int64_t> claimed;
  StatementPipeline claims(*writer_, &pipelined_);
  insert_ids_.queue(
      claims, slots.size(),
      [&](Params& params, std::size_t s) {
        const EventBatch& batch = *batches[slots[s].batch];
        params.add(batch.project_rowid)
            .add(std::string_view(batch.event_ids[slots[s].index]))
            .add(slots[s].seq)
            .add(batch.received_at);
      },
      [&](const Rows& rows) {
        for (int row = 0; row < rows.size(); ++row)
          claimed.insert(rows.int64(row, 0));
      });
  claims.run();
  for (Slot& slot : slots)
    slot.fresh = claimed.contains(slot.seq);
  return slots;
}

// The stored events' agents (registered on first sight), chain links and
// counts; duplicates touch none of them.
void PgEventStore::link_fresh(std::span<EventBatch* const> batches,
                              const std::vector<bool>& admitted, std::vector<Slot>& slots,
                              ChainAppend& chain, StatementPipeline& writes) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> usage;
  for (Slot& slot : slots) {
    const EventBatch& batch = *batches[slot.batch];
    std::int64_t day = utc_day(batch.received_at);
    usage.try_emplace({batch.project_rowid, day}, 0);
    if (!slot.fresh)
      continue;
    const Event& event = batch.events[slot.index];
    slot.agent = resolve_agent(batch.project_rowid, event.agent_name, batch.received_at);
    slot.link = chain.propose(batch, slot.index, slot.agent.id, slot.seq);
    chain.accept(batch.project_rowid, slot.link);
    ++usage[{batch.project_rowid, day}];
    if (event.instance_id && event.sequence)
      delivery_.add_event(batch.project_rowid, *event.instance_id, day, *event.sequence);
    tally_.add(batch.project_rowid, slot.agent.rowid, event,
               event.timestamp.value_or(batch.received_at));
    note_seen(agent_seen_minute_, agents_seen_, slot.agent.rowid, batch.received_at);
  }
  for (std::size_t b = 0; b < batches.size(); ++b) {
    if (!admitted[b])
      continue;
    const EventBatch* batch = batches[b];
    std::int64_t day = utc_day(batch->received_at);
    if (batch->drops)
      delivery_.add_dropped(batch->project_rowid, batch->drops->instance_id, day,
                            batch->drops->dropped);
    if (batch->api_key_rowid != 0)
      note_seen(key_used_minute_, keys_used_, batch->api_key_rowid, batch->received_at);
  }
  add_usage(usage, writes);
}

void PgEventStore::insert_events(std::span<EventBatch* const> batches,
                                 const std::vector<Slot>& slots, StatementPipeline& writes) {
  std::vector<const Slot*> fresh;
  for (const Slot& slot : slots) {
    if (slot.fresh)
      fresh.push_back(&slot);
  }
  insert_events_.queue(writes, fresh.size(), [&](Params& params, std::size_t row) {
    const Slot& slot = *fresh[row];
    const EventBatch& batch = *batches[slot.batch];
    const Event& event = batch.events[slot.index];
    params.add(slot.seq)
        .add(std::string_view(batch.event_ids[slot.index]))
        .add(batch.project_rowid)
        .add(slot.agent.rowid)
        .add(std::string_view(event.action))
        .add(event.scope)
        .add(event.allowed)
        .add(event.function_name)
        .add(std::string_view(event.metadata_json))
        .add(event.timestamp.value_or(batch.received_at))
        .add(batch.received_at);
    if (slot.link.position == 0)
      params.add_null().add_null();
    else
      params.add(slot.link.position).add_bytes(hash_bytes(slot.link.hash));
  });
}

// What each batch's caller learns: the agents, and each duplicate with the
// event stored under its id (read once the fresh events are in, so a
// duplicate of an event earlier in this transaction finds it).
void PgEventStore::report(std::span<EventBatch* const> batches, const std::vector<Slot>& slots,
                          DayCounts day_counts, std::span<CommittedBatch> committed) {
  for (std::size_t b = 0; b < batches.size(); ++b) {
    committed[b].agent_ids.clear();
    committed[b].agent_ids.reserve(batches[b]->events.size());
    committed[b].duplicates.clear();
  }
  for (const Slot& slot : slots) {
    CommittedBatch& out = committed[slot.batch];
    if (slot.fresh) {
      out.agent_ids.push_back(slot.agent.id);
      continue;
    }
    const EventBatch& batch = *batches[slot.batch];
    StoredEvent stored = stored_event(batch.project_rowid, batch.event_ids[slot.index]);
    out.agent_ids.push_back(stored.agent_id);
    out.duplicates.emplace_back(slot.index, std::move(stored));
  }
  // Each batch's day count as its caller's headers report it: stored
  // before, plus what this commit stored up to and including the batch.
  std::vector<std::int64_t> fresh(batches.size(), 0);
  for (const Slot& slot : slots)
    fresh[slot.batch] += slot.fresh ? 1 : 0;
  for (std::size_t b = 0; b < batches.size(); ++b) {
    std::int64_t& count = day_counts[{batches[b]->project_rowid, utc_day(batches[b]->received_at)}];
    count += fresh[b];
    committed[b].day_events = count;
  }
}

const PgEventStore::AgentRef& PgEventStore::resolve_agent(std::int64_t project_rowid,
                                                          const std::string& name, UnixMicros now) {
  AgentKey key{project_rowid, name};
  if (auto it = agents_.find(key); it != agents_.end())
    return it->second;
  if (agents_.size() >= kMaxCachedAgents)
    agents_.clear();
  // Another node may register the same name at the same moment: the unique
  // (project, name) makes the second insert a no-op, and the lookup finds
  // the first one's row.
  std::string fresh_id = make_uuid_v7(now / 1000);
  auto rows = writer_->exec(
      "INSERT INTO agents (uuid, project_id, name, created_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (project_id, name) DO NOTHING RETURNING id, uuid",
      Params()
          .add(std::string_view(fresh_id))
          .add(project_rowid)
          .add(std::string_view(name))
          .add(now));
  if (rows.empty()) {
    rows = writer_->exec("SELECT id, uuid FROM agents WHERE project_id = $1 AND name = $2",
                         Params().add(project_rowid).add(std::string_view(name)));
  }
  if (rows.empty())
    throw PgError("P0002", "agent " + name + " was neither registered nor found");
  AgentRef agent{rows.int64(0, 0), rows.string(0, 1)};
  agents_added_.push_back(key);
  return agents_.emplace(std::move(key), std::move(agent)).first->second;
}

StoredEvent PgEventStore::stored_event(std::int64_t project_rowid, const std::string& id) {
  auto rows = writer_->exec(
      std::string(kEventColumns) +
          "FROM event_ids i JOIN events e ON e.project_id = i.project_id AND e.seq = i.seq "
          "AND e.received_at = i.received_at JOIN agents a ON a.id = e.agent_id "
          "WHERE i.project_id = $1 AND i.uuid = $2",
      Params().add(project_rowid).add(std::string_view(id)));
  if (rows.empty())
    throw PgError("XX000", "an event id in conflict names no stored event");
  return read_event(rows, 0);
}

void PgEventStore::add_usage(
    const std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t>& usage,
    StatementPipeline& writes) {
  upsert_all(writes, "INSERT INTO usage_daily (project_id, day, events)", 3,
             "ON CONFLICT (project_id, day) DO UPDATE SET "
             "events = usage_daily.events + excluded.events",
             usage, [](Params& params, const auto& entry) {
               params.add(entry.first.first).add(entry.first.second).add(entry.second);
             });
}

// A day's lowest and highest sequence merge with what is stored; NULL (no
// numbered event yet) gives way to any number.
void PgEventStore::write_delivery(StatementPipeline& writes) {
  upsert_all(
      writes,
      "INSERT INTO sdk_delivery (project_id, instance_id, day, events, min_seq, max_seq, dropped)",
      7,
      "ON CONFLICT (project_id, instance_id, day) DO UPDATE SET "
      "events = sdk_delivery.events + excluded.events, "
      "min_seq = least(sdk_delivery.min_seq, excluded.min_seq), "
      "max_seq = greatest(sdk_delivery.max_seq, excluded.max_seq), "
      "dropped = greatest(sdk_delivery.dropped, excluded.dropped)",
      delivery_.days(), [](Params& params, const auto& entry) {
        const auto& [key, count] = entry;
        params.add(key.project_rowid).add(std::string_view(key.instance_id)).add(key.day);
        params.add(count.events);
        if (count.events == 0)
          params.add_null().add_null();
        else
          params.add(count.min_sequence).add(count.max_sequence);
        params.add(count.dropped);
      });
}

// Every aggregate is an upsert that adds, so two nodes counting into the
// same bucket cannot lose an increment.
void PgEventStore::write_tally(StatementPipeline& writes) {
  upsert_all(writes, "INSERT INTO activity_buckets (project_id, period, bucket, allowed, denied)",
             5,
             "ON CONFLICT (project_id, period, bucket) DO UPDATE SET "
             "allowed = activity_buckets.allowed + excluded.allowed, "
             "denied = activity_buckets.denied + excluded.denied",
             tally_.activity(), [](Params& params, const auto& entry) {
               add_bucket(params, entry.first);
               params.add(entry.second.allowed).add(entry.second.denied);
             });
  upsert_all(writes,
             "INSERT INTO agent_buckets (project_id, period, bucket, agent_id, events, denials, "
             "last_active)",
             7,
             "ON CONFLICT (project_id, period, bucket, agent_id) DO UPDATE SET "
             "events = agent_buckets.events + excluded.events, "
             "denials = agent_buckets.denials + excluded.denials, "
             "last_active = greatest(agent_buckets.last_active, excluded.last_active)",
             tally_.agents(), [](Params& params, const auto& entry) {
               add_bucket(params, entry.first.first);
               params.add(entry.first.second)
                   .add(entry.second.events)
                   .add(entry.second.denials)
                   .add(entry.second.last_active);
             });
  upsert_all(writes,
             "INSERT INTO scope_buckets (project_id, period, bucket, scope, requests, denials)", 6,
             "ON CONFLICT (project_id, period, bucket, scope) DO UPDATE SET "
             "requests = scope_buckets.requests + excluded.requests, "
             "denials = scope_buckets.denials + excluded.denials",
             tally_.scopes(), [](Params& params, const auto& entry) {
               add_bucket(params, entry.first.first);
               params.add(std::string_view(entry.first.second))
                   .add(entry.second.requests)
                   .add(entry.second.denials);
             });
  upsert_all(writes,
             "INSERT INTO scope_agent_buckets (project_id, period, bucket, scope, agent_id, "
             "requests, denials)",
             7,
             "ON CONFLICT (project_id, period, bucket, scope, agent_id) DO UPDATE SET "
             "requests = scope_agent_buckets.requests + excluded.requests, "
             "denials = scope_agent_buckets.denials + excluded.denials",
             tally_.scope_agents(), [](Params& params, const auto& entry) {
               const auto& [bucket, scope, agent] = entry.first;
               add_bucket(params, bucket);
               params.add(std::string_view(scope))
                   .add(agent)
                   .add(entry.second.requests)
                   .add(entry.second.denials);
             });
  upsert_all(writes,
             "INSERT INTO agent_sessions (project_id, session_key, first_active, last_active)", 4,
             "ON CONFLICT (project_id, session_key) DO UPDATE SET "
             "first_active = least(agent_sessions.first_active, excluded.first_active), "
             "last_active = greatest(agent_sessions.last_active, excluded.last_active)",
             tally_.sessions(), [](Params& params, const auto& entry) {
               params.add(entry.first.first)
                   .add(static_cast<std::int64_t>(entry.first.second))
                   .add(entry.second.first_active)
                   .add(entry.second.last_active);
             });
}

void PgEventStore::note_seen(std::unordered_map<std::int64_t, std::int64_t>& written_minute,
                             std::map<std::int64_t, UnixMicros>& pending, std::int64_t rowid,
                             UnixMicros at) {
  auto written = written_minute.find(rowid);
  if (written != written_minute.end() && written->second >= at / kMicrosPerMinute)
    return;
  auto& latest = pending[rowid];
  latest = std::max(latest, at - at % kMicrosPerMinute);
}

// A row another transaction holds (an agent's settings being changed, which
// then waits for this project's chain head) is skipped rather than waited
// for, which would deadlock; it is written on a later commit instead.
void PgEventStore::write_last_seen(const char* table, const char* column,
                                   std::map<std::int64_t, UnixMicros>& pending) {
  std::string sql = std::string("UPDATE ") + table + " SET " + column +
                    " = $1 WHERE id = (SELECT id FROM " + table +
                    " WHERE id = $2 FOR UPDATE SKIP LOCKED) RETURNING id";
  for (auto it = pending.begin(); it != pending.end();) {
    if (writer_->exec(sql, Params().add(it->second).add(it->first)).empty())
      it = pending.erase(it);
    else
      ++it;
  }
}

void PgEventStore::remember_seen(std::unordered_map<std::int64_t, std::int64_t>& written_minute,
                                 const std::map<std::int64_t, UnixMicros>& pending) {
  if (written_minute.size() > kMaxCachedAgents)
    written_minute.clear();
  for (const auto& [rowid, at] : pending)
    written_minute[rowid] = at / kMicrosPerMinute;
}

Status PgEventStore::write_checkpoints() {
  if (!signing_key_)
    return {};
  return translate_errors("sign audit checkpoints", [&]() -> Status {
    if (!writer_->healthy()) {
      pipelined_.forget();
      writer_->reset();
    }
    write_due_checkpoints(*writer_, *signing_key_, SystemClock().now());
    return {};
  });
}

Result<std::vector<StoredEvent>> PgEventStore::tail(const TailQuery& q) {
  return translate_errors("read new events", [&]() -> Result<std::vector<StoredEvent>> {
    auto conn = readers_->acquire();
    return read_events(conn->exec(
        std::string(kEventColumns) +
            "FROM events e JOIN agents a ON a.id = e.agent_id "
            "WHERE e.project_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3",
        Params().add(q.project_rowid).add(q.after_seq).add(static_cast<std::int64_t>(q.limit))));
  });
}

Result<std::int64_t> PgEventStore::last_seq(std::int64_t project_rowid) {
  return translate_errors("read the newest event", [&]() -> Result<std::int64_t> {
    auto conn = readers_->acquire();
    auto rows = conn->exec("SELECT max(seq) FROM events WHERE project_id = $1",
                           Params().add(project_rowid));
    return rows.optional_int64(0, 0).value_or(0);
  });
}

namespace {

// PostgreSQL text cannot hold a NUL character (SQLite's can, but ingestion
// refuses one), so a filter with one matches no stored event.
bool has_nul_filter(const EventQuery& q) {
  for (const auto* filter : {&q.agent_name, &q.scope, &q.action, &q.function_name}) {
    if (*filter && (*filter)->find('\0') != std::string::npos)
      return true;
  }
  return false;
}

}  // namespace

Result<std::vector<StoredEvent>> PgEventStore::query(const EventQuery& q) {
  if (has_nul_filter(q))
    return std::vector<StoredEvent>();
  return translate_errors("read events", [&]() -> Result<std::vector<StoredEvent>> {
    auto conn = readers_->acquire();
    Params params;
    std::string sql = query_sql(q, params);
    return read_events(conn->exec(sql, params));
  });
}

}  // namespace agentsudo::server::postgres
