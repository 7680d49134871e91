// The PostgreSQL commit writer against PostgreSQL's own ceiling on the same
// rows: PgEventStore::append of one batch per transaction (ids deduplicated,
// agents, aggregates, chain, heads) beside a plain multi-row INSERT of the
// same event rows into the same table, one statement per transaction, the
// two interleaved round by round so that drift hits both alike.
//
//   agentsudo_pg_group_commit_bench URL [BATCH_SIZE] [ROUNDS]
//
// URL names an empty database; the schema is made in it.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "server/store/postgres/connection_pool.hpp"
#include "server/store/postgres/pg_event_store.hpp"
#include "server/store/postgres/schema.hpp"

namespace pg = agentsudo::server::postgres;
using agentsudo::Event;
using agentsudo::UnixMicros;
using agentsudo::server::CommittedBatch;
using agentsudo::server::EventBatch;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t make_project(pg::Connection& conn, const char* uuid) {
  return conn
      .exec(
          "INSERT INTO projects (uuid, name, tier, daily_quota, created_at) "
          "VALUES ($1, $1, 'bench', 1000000000, 0) RETURNING id",
          pg::Params().add(uuid))
      .int64(0, 0);
}

EventBatch make_batch(std::int64_t project, UnixMicros now, std::size_t size, std::int64_t& next) {
  EventBatch batch;
  batch.project_rowid = project;
  batch.received_at = now;
  for (std::size_t i = 0; i < size; ++i, ++next) {
    Event event;
    event.agent_name = "agent-" + std::to_string(next % 8);
    event.action = "permission_check";
    event.scope = "read:orders/" + std::to_string(next % 5);
    event.allowed = next % 7 != 0;
    event.function_name = "lookup_order";
    event.metadata_json = R"({"session_id":"s-)" + std::to_string(next % 16) +
                          R"(","args_digest":"9f86d081884c7d659a2feaa0c55ad015"})";
    event.timestamp = now;
    batch.events.push_back(std::move(event));
    batch.event_ids.push_back("0190f0c8-0000-7000-8000-" + std::to_string(100000000000 + next));
  }
  return batch;
}

// One INSERT of `rows` event rows: the ceiling's statement.
std::string plain_insert_sql(std::size_t rows) {
  std::string sql =
      "INSERT INTO events (seq, uuid, project_id, agent_id, action, scope, allowed, "
      "function_name, metadata, ts, received_at, chain_position, chain_hash) VALUES ";
  int parameter = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (int c = 0; c < 13; ++c)
      sql += (c == 0 ? "$" : ", $") + std::to_string(parameter++);
    sql += ")";
  }
  return sql;
}

// The same rows as the store writes to events, for the other project, with
// seqs and agent ids chosen here, in one statement (its own transaction):
// PostgreSQL's cost for the rows alone.
void insert_plain(pg::Connection& conn, const std::string& sql, const EventBatch& batch,
                  std::int64_t project, std::int64_t agent, std::int64_t& seq) {
  pg::Params params;
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    const Event& event = batch.events[i];
    std::int64_t row_seq = seq++;
    params.add(row_seq)
        .add(std::string_view(batch.event_ids[i]))
        .add(project)
        .add(agent)
        .add(std::string_view(event.action))
        .add(event.scope)
        .add(event.allowed)
        .add(event.function_name)
        .add(std::string_view(event.metadata_json))
        .add(*event.timestamp)
        .add(batch.received_at)
        .add(row_seq)
        .add_bytes(std::string_view("0123456789abcdef0123456789abcdef"));
  }
  conn.exec(sql, params);
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s URL [BATCH_SIZE] [ROUNDS]\n", argv[0]);
    return 2;
  }
  std::string url = argv[1];
  std::size_t batch_size = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100;
  int rounds = argc > 3 ? std::atoi(argv[3]) : 300;
  try {
    auto conn = pg::Connection::open(url);
    if (auto migrated = pg::migrate(*conn); !migrated) {
      std::fprintf(stderr, "migrate: %s\n", migrated.error().message.c_str());
      return 1;
    }
    std::int64_t stored_project = make_project(*conn, "bench-store");
    std::int64_t plain_project = make_project(*conn, "bench-plain");
    pg::PgEventStore store(pg::Connection::open(url), std::make_shared<pg::ConnectionPool>(url, 1));
    std::string plain = plain_insert_sql(batch_size);
    UnixMicros now = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    std::int64_t next_event = 0;
    std::int64_t plain_seq = 1'000'000'000'000;
    // Warm-up: partitions, agents, prepared statements on both sides.
    EventBatch warm = make_batch(stored_project, now, batch_size, next_event);
    std::vector<EventBatch*> batches{&warm};
    std::vector<CommittedBatch> committed(1);
    if (auto status = store.append(batches, committed); !status) {
      std::fprintf(stderr, "append: %s\n", status.error().message.c_str());
      return 1;
    }
    std::int64_t agent = conn->exec("SELECT min(id) FROM agents").int64(0, 0);
    EventBatch warm_plain = make_batch(plain_project, now, batch_size, next_event);
    insert_plain(*conn, plain, warm_plain, plain_project, agent, plain_seq);

    Clock::duration store_time{};
    Clock::duration plain_time{};
    for (int round = 0; round < rounds; ++round) {
      EventBatch batch = make_batch(stored_project, now, batch_size, next_event);
      batches = {&batch};
      auto start = Clock::now();
      if (auto status = store.append(batches, committed); !status) {
        std::fprintf(stderr, "append: %s\n", status.error().message.c_str());
        return 1;
      }
      store_time += Clock::now() - start;
      EventBatch same_rows = make_batch(plain_project, now, batch_size, next_event);
      start = Clock::now();
      insert_plain(*conn, plain, same_rows, plain_project, agent, plain_seq);
      plain_time += Clock::now() - start;
    }
    double rows = static_cast<double>(batch_size) * rounds;
    double store_rate = rows / seconds(store_time);
    double plain_rate = rows / seconds(plain_time);
    std::printf("batch %zu rows, %d rounds\n", batch_size, rounds);
    std::printf("  PgEventStore::append      %10.0f rows/s\n", store_rate);
    std::printf("  plain multi-row INSERT    %10.0f rows/s\n", plain_rate);
    std::printf("  ratio                     %10.2f\n", store_rate / plain_rate);
  } catch (const pg::PgError& e) {
    std::fprintf(stderr, "PostgreSQL: %s\n", e.what());
    return 1;
  }
  return 0;
}
