#include "server/store/postgres/pg_login_failure_store.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include "server/store/postgres/errors.hpp"

namespace agentsudo::server::postgres {
namespace {

// The key's row, made if missing and locked until the transaction ends: a
// node counting the same key at the same moment waits for this count.
// (ON CONFLICT DO UPDATE is PostgreSQL's upsert; it is what returns the row
// whether or not it was just made.)
LoginFailures lock_count(Connection& conn, const std::string& key) {
  auto rows = conn.exec(
      "INSERT INTO login_failures (throttle_key, attempts, next_at) VALUES ($1, 0, 0) "
      "ON CONFLICT (throttle_key) DO UPDATE SET attempts = login_failures.attempts "
      "RETURNING attempts, next_at",
      Params().add(std::string_view(key)));
  return LoginFailures{rows.int64(0, 0), rows.int64(0, 1)};
}

void store_count(Connection& conn, const std::string& key, const LoginFailures& count) {
  if (count.fresh()) {
    conn.exec("DELETE FROM login_failures WHERE throttle_key = $1",
              Params().add(std::string_view(key)));
    return;
  }
  conn.exec("UPDATE login_failures SET attempts = $2, next_at = $3 WHERE throttle_key = $1",
            Params().add(std::string_view(key)).add(count.attempts).add(count.next_at));
}

}  // namespace

PgLoginFailureStore::PgLoginFailureStore(std::shared_ptr<ConnectionPool> pool)
    : pool_(std::move(pool)) {}

Status PgLoginFailureStore::update(std::span<const std::string> keys, UnixMicros idle_before,
                                   const Change& change) {
  return translate_errors("count failed logins", [&]() -> Status {
    auto conn = pool_->acquire();
    std::vector<LoginFailures> counts(keys.size());
    {
      Transaction tx(*conn);
      // Locked in key order, so two nodes locking the same keys never deadlock.
      std::vector<std::size_t> order(keys.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::sort(order.begin(), order.end(),
                [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
      for (std::size_t i : order)
        counts[i] = lock_count(*conn, keys[i]);
      change(counts);
      for (std::size_t i : order)
        store_count(*conn, keys[i], counts[i]);
      tx.commit();
    }
    // After the commit, holding no lock: idle keys go, as the memory store
    // forgets them.
    conn->exec("DELETE FROM login_failures WHERE next_at < $1", Params().add(idle_before));
    return {};
  });
}

}  // namespace agentsudo::server::postgres
