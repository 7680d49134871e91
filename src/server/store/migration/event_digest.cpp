#include "server/store/migration/event_digest.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace agentsudo::server::migration {
namespace {

constexpr int kColumns = 13;
constexpr int kPageRows = 10'000;

// The same columns, rendered as text, from both stores.
constexpr const char* kSqliteSelect =
    "SELECT seq, uuid, project_id, agent_id, action, scope, allowed, function_name, metadata, ts, "
    "received_at, chain_position, "
    "CASE WHEN chain_hash IS NULL THEN NULL ELSE lower(hex(chain_hash)) END "
    "FROM events ORDER BY project_id, seq";
// One project at a time, paged by seq, so that each page is an index range
// of the (project_id, seq, received_at) key in every partition.
constexpr const char* kPostgresSelect =
    "SELECT seq, uuid, project_id, agent_id, action, scope, allowed::int, function_name, "
    "metadata, ts, received_at, chain_position, encode(chain_hash, 'hex') "
    "FROM events WHERE project_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";

class EventHasher {
 public:
  EventHasher() { crypto_hash_sha256_init(&state_); }

  void field(std::optional<std::string_view> value) {
    // A marker byte keeps NULL, "" and the next field apart.
    if (!value) {
      add("\x01");
      return;
    }
    add("\x02");
    add(*value);
    add("\x1f");
  }
  void end_row() { add("\x1e"); }

  std::string hex() {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256_final(&state_, digest.data());
    std::string out(digest.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), digest.data(), digest.size());
    out.pop_back();
    return out;
  }

 private:
  void add(std::string_view bytes) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size());
  }

  crypto_hash_sha256_state state_{};
};

}  // namespace

std::string sqlite_events_digest(sqlite::Database& source) {
  EventHasher hasher;
  sqlite::Statement select(source.handle(), kSqliteSelect);
  while (select.step()) {
    for (int column = 0; column < kColumns; ++column) {
      if (select.column_is_null(column))
        hasher.field(std::nullopt);
      else
        hasher.field(select.column_text(column));
    }
    hasher.end_row();
  }
  return hasher.hex();
}

std::string postgres_events_digest(postgres::Connection& target) {
  EventHasher hasher;
  auto projects = target.exec("SELECT id FROM projects ORDER BY id");
  for (int p = 0; p < projects.size(); ++p) {
    std::int64_t project = projects.int64(p, 0);
    std::int64_t after = -1;
    for (;;) {
      auto rows = target.exec(
          kPostgresSelect, postgres::Params().add(project).add(after).add(std::int64_t{kPageRows}));
      for (int row = 0; row < rows.size(); ++row) {
        for (int column = 0; column < kColumns; ++column) {
          if (rows.is_null(row, column))
            hasher.field(std::nullopt);
          else
            hasher.field(rows.text(row, column));
        }
        hasher.end_row();
      }
      if (rows.size() < kPageRows)
        break;
      after = rows.int64(rows.size() - 1, 0);
    }
  }
  return hasher.hex();
}

}  // namespace agentsudo::server::migration
