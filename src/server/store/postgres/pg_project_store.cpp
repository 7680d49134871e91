#include "server/store/postgres/pg_project_store.hpp"

#include "core/uuid.hpp"
#include "server/model/clock.hpp"
#include "server/store/postgres/digest_bytes.hpp"
#include "server/store/postgres/errors.hpp"

namespace agentsudo::server::postgres {
namespace {

UnixMicros now() {
  return SystemClock().now();
}

// data_since: the first event by seq is one index step per day partition.
constexpr const char* kProjectColumns =
    "id, uuid, name, tier, daily_quota, created_at, retention_days, "
    "COALESCE(retained_since, (SELECT e.received_at FROM events e "
    "WHERE e.project_id = projects.id ORDER BY e.seq LIMIT 1))";

Project read_project(const Rows& rows, int row) {
  Project project{rows.int64(row, 0),         rows.string(row, 1),
                  rows.string(row, 2),        Tier{rows.string(row, 3), rows.int64(row, 4)},
                  rows.int64(row, 5),         rows.optional_int64(row, 6),
                  rows.optional_int64(row, 7)};
  return project;
}

constexpr const char* kKeyColumns =
    "k.uuid, p.uuid, k.prefix, k.created_at, k.revoked_at, k.last_used_at";

ApiKeyRecord read_key(const Rows& rows, int row) {
  return ApiKeyRecord{rows.string(row, 0),         rows.string(row, 1),
                      rows.string(row, 2),         rows.int64(row, 3),
                      rows.optional_int64(row, 4), rows.optional_int64(row, 5)};
}

constexpr const char* kTokenColumns = "uuid, prefix, name, created_at, expires_at, revoked_at";

ManagementToken read_token(const Rows& rows, int row) {
  return ManagementToken{rows.string(row, 0),         rows.string(row, 1),
                         rows.optional_text(row, 2),  rows.int64(row, 3),
                         rows.optional_int64(row, 4), rows.optional_int64(row, 5)};
}

Error project_not_found(std::string_view project_id) {
  return make_error(ErrorKind::kNotFound, "no project with id " + std::string(project_id));
}

Result<Project> lookup_project(Connection& conn, std::string_view project_id) {
  auto rows = conn.exec(std::string("SELECT ") + kProjectColumns + " FROM projects WHERE uuid = $1",
                        Params().add(project_id));
  if (rows.empty())
    return project_not_found(project_id);
  return read_project(rows, 0);
}

// An unrevoked key with what revoking or replacing it needs.
struct ActiveKey {
  std::int64_t rowid = 0;
  std::int64_t project_rowid = 0;
  ApiKeyRecord record;
};

// The key when it is active and, if `project_id` is given, that project's,
// locked for the caller's transaction: a node revoking it at the same moment
// waits, and then finds it revoked (the condition is checked again after the
// wait), so a key is revoked or rotated once. kNotFound otherwise.
Result<ActiveKey> lock_active_key(Connection& conn, std::optional<std::string_view> project_id,
                                  std::string_view key_id) {
  Params params;
  params.add(key_id);
  if (project_id)
    params.add(*project_id);
  else
    params.add_null();
  auto rows = conn.exec(std::string("SELECT ") + kKeyColumns +
                            ", k.id, p.id FROM api_keys k JOIN projects p ON p.id = k.project_id "
                            "WHERE k.uuid = $1 AND k.revoked_at IS NULL "
                            "AND ($2::TEXT IS NULL OR p.uuid = $2::TEXT) FOR UPDATE OF k",
                        params);
  if (rows.empty())
    return make_error(ErrorKind::kNotFound, "no active key with id " + std::string(key_id));
  return ActiveKey{rows.int64(0, 6), rows.int64(0, 7), read_key(rows, 0)};
}

void revoke_key_row(Connection& conn, std::int64_t key_rowid, UnixMicros at) {
  conn.exec("UPDATE api_keys SET revoked_at = $1 WHERE id = $2", Params().add(at).add(key_rowid));
}

// Inserts a key row for the project; the caller holds a transaction.
ApiKeyRecord insert_api_key(Connection& conn, std::int64_t project_rowid,
                            std::string_view project_id, const IssuedSecret& key) {
  ApiKeyRecord record{make_uuid_v7(now() / 1000),
                      std::string(project_id),
                      key.display_prefix,
                      now(),
                      std::nullopt,
                      std::nullopt};
  conn.exec(
      "INSERT INTO api_keys (uuid, project_id, key_hash, prefix, created_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      Params()
          .add(std::string_view(record.id))
          .add(project_rowid)
          .add_bytes(digest_bytes(key.digest))
          .add(std::string_view(record.prefix))
          .add(record.created_at));
  return record;
}

std::optional<std::string> read_setting(Connection& conn, std::string_view name) {
  auto rows = conn.exec("SELECT value FROM settings WHERE name = $1", Params().add(name));
  if (rows.empty())
    return std::nullopt;
  return rows.bytes(0, 0);
}

}  // namespace

PgProjectStore::PgProjectStore(std::shared_ptr<ConnectionPool> pool,
                               std::shared_ptr<CredentialsGeneration> credentials)
    : pool_(std::move(pool)), credentials_(std::move(credentials)) {}

Result<CreatedProject> PgProjectStore::create_project(const NewProjectRecord& record) {
  return translate_errors("create project", [&]() -> Result<CreatedProject> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    Project project{0, make_uuid_v7(now() / 1000), record.name, record.tier, now(), {}, {}};
    if (record.once_setting) {
      // The setting is claimed first: a node making the same project at the
      // same moment waits on this row, then finds it taken (or, if this
      // transaction rolls back, claims it itself).
      auto claimed = conn->exec(
          "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
          Params().add(std::string_view(*record.once_setting)).add_bytes(project.id));
      if (claimed.affected() == 0) {
        return make_error(ErrorKind::kConflict,
                          "a project was already created for " + *record.once_setting);
      }
    }
    // The identity sequence never hands out a deleted project's id again,
    // so in-memory state keyed by it never passes to a new project.
    auto inserted = conn->exec(
        "INSERT INTO projects (uuid, name, tier, daily_quota, created_at) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING id",
        Params()
            .add(std::string_view(project.id))
            .add(std::string_view(project.name))
            .add(std::string_view(project.tier.name))
            .add(project.tier.daily_quota)
            .add(project.created_at));
    project.rowid = inserted.int64(0, 0);
    auto key = insert_api_key(*conn, project.rowid, project.id, record.first_key);
    if (record.first_member_rowid) {
      conn->exec(
          "INSERT INTO project_members (project_id, user_id, created_at) VALUES ($1, $2, $3)",
          Params().add(project.rowid).add(*record.first_member_rowid).add(project.created_at));
    }
    tx.commit();
    return CreatedProject{std::move(project), std::move(key)};
  });
}

Result<std::vector<Project>> PgProjectStore::list_projects() {
  return translate_errors("list projects", [&]() -> Result<std::vector<Project>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(std::string("SELECT ") + kProjectColumns + " FROM projects ORDER BY id");
    std::vector<Project> projects;
    for (int row = 0; row < rows.size(); ++row)
      projects.push_back(read_project(rows, row));
    return projects;
  });
}

Result<Project> PgProjectStore::find_project(std::string_view project_id) {
  return translate_errors("find project", [&]() -> Result<Project> {
    auto conn = pool_->acquire();
    return lookup_project(*conn, project_id);
  });
}

Result<Project> PgProjectStore::update_project(std::string_view project_id,
                                               const ProjectChanges& changes) {
  // A key's owner carries the project's quota.
  auto updated = translate_errors("update project", [&]() -> Result<Project> {
    auto conn = pool_->acquire();
    std::optional<std::string> tier_name;
    std::optional<std::int64_t> quota;
    if (changes.tier) {
      tier_name = changes.tier->name;
      quota = changes.tier->daily_quota;
    }
    // retention_days: $5 says whether to set it, $6 is the value (NULL
    // keeps everything).
    std::optional<std::int64_t> retention;
    if (changes.retention_days)
      retention = *changes.retention_days;
    // One statement: the row it returns is the project as it now is, even
    // when another node changes another field at the same moment.
    auto rows = conn->exec(std::string("UPDATE projects SET name = COALESCE($2::TEXT, name), "
                                       "tier = COALESCE($3::TEXT, tier), "
                                       "daily_quota = COALESCE($4::BIGINT, daily_quota), "
                                       "retention_days = CASE WHEN $5::BOOLEAN THEN $6::BIGINT "
                                       "ELSE retention_days END WHERE uuid = $1 RETURNING ") +
                               kProjectColumns,
                           Params()
                               .add(project_id)
                               .add(changes.name)
                               .add(tier_name)
                               .add(quota)
                               .add(changes.retention_days.has_value())
                               .add(retention));
    if (rows.empty())
      return project_not_found(project_id);
    return read_project(rows, 0);
  });
  if (changes.tier)
    credentials_->advance();
  return updated;
}

Status PgProjectStore::delete_project(std::string_view project_id) {
  auto deleted = translate_errors("delete project", [&]() -> Status {
    auto conn = pool_->acquire();
    // Foreign keys cascade to keys, agents, events, usage and members.
    auto removed = conn->exec("DELETE FROM projects WHERE uuid = $1", Params().add(project_id));
    if (removed.affected() == 0)
      return project_not_found(project_id);
    return {};
  });
  credentials_->advance();
  return deleted;
}

Result<ApiKeyRecord> PgProjectStore::add_api_key(std::string_view project_id,
                                                 const IssuedSecret& key) {
  return translate_errors("create key", [&]() -> Result<ApiKeyRecord> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    ASSIGN_OR_RETURN(auto project, lookup_project(*conn, project_id));
    auto record = insert_api_key(*conn, project.rowid, project.id, key);
    tx.commit();
    return record;
  });
}

Result<std::vector<ApiKeyRecord>> PgProjectStore::list_api_keys(std::string_view project_id) {
  return translate_errors("list keys", [&]() -> Result<std::vector<ApiKeyRecord>> {
    auto conn = pool_->acquire();
    ASSIGN_OR_RETURN(auto project, lookup_project(*conn, project_id));
    auto rows = conn->exec(std::string("SELECT ") + kKeyColumns +
                               " FROM api_keys k JOIN projects p ON p.id = k.project_id "
                               "WHERE k.project_id = $1 ORDER BY k.id",
                           Params().add(project.rowid));
    std::vector<ApiKeyRecord> keys;
    for (int row = 0; row < rows.size(); ++row)
      keys.push_back(read_key(rows, row));
    return keys;
  });
}

Result<ApiKeyRecord> PgProjectStore::revoke_api_key(std::optional<std::string_view> project_id,
                                                    std::string_view key_id) {
  auto revoked = translate_errors("revoke key", [&]() -> Result<ApiKeyRecord> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    ASSIGN_OR_RETURN(auto key, lock_active_key(*conn, project_id, key_id));
    key.record.revoked_at = now();
    revoke_key_row(*conn, key.rowid, *key.record.revoked_at);
    tx.commit();
    return std::move(key.record);
  });
  credentials_->advance();
  return revoked;
}

Result<ApiKeyRecord> PgProjectStore::rotate_api_key(std::optional<std::string_view> project_id,
                                                    std::string_view key_id,
                                                    const IssuedSecret& replacement) {
  auto rotated = translate_errors("rotate key", [&]() -> Result<ApiKeyRecord> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    ASSIGN_OR_RETURN(auto key, lock_active_key(*conn, project_id, key_id));
    revoke_key_row(*conn, key.rowid, now());
    auto record = insert_api_key(*conn, key.project_rowid, key.record.project_id, replacement);
    tx.commit();
    return record;
  });
  credentials_->advance();
  return rotated;
}

Result<KeyOwner> PgProjectStore::find_key_owner(const SecretDigest& digest) {
  return translate_errors("authenticate key", [&]() -> Result<KeyOwner> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(
        "SELECT p.id, p.uuid, p.daily_quota, k.id FROM api_keys k "
        "JOIN projects p ON p.id = k.project_id "
        "WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
        Params().add_bytes(digest_bytes(digest)));
    if (rows.empty())
      return make_error(ErrorKind::kInvalidApiKey, "Invalid API key");
    return KeyOwner{rows.int64(0, 0), rows.string(0, 1), rows.int64(0, 2), rows.int64(0, 3)};
  });
}

Result<ManagementToken> PgProjectStore::add_management_token(
    const IssuedSecret& token, const ManagementTokenSettings& settings) {
  return translate_errors("create token", [&]() -> Result<ManagementToken> {
    auto conn = pool_->acquire();
    ManagementToken record{make_uuid_v7(now() / 1000), token.display_prefix, settings.name, now(),
                           settings.expires_at,        std::nullopt};
    conn->exec(
        "INSERT INTO management_tokens (uuid, token_hash, prefix, name, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        Params()
            .add(std::string_view(record.id))
            .add_bytes(digest_bytes(token.digest))
            .add(std::string_view(record.prefix))
            .add(record.name)
            .add(record.created_at)
            .add(record.expires_at));
    return record;
  });
}

Result<std::vector<ManagementToken>> PgProjectStore::list_management_tokens() {
  return translate_errors("list tokens", [&]() -> Result<std::vector<ManagementToken>> {
    auto conn = pool_->acquire();
    auto rows =
        conn->exec(std::string("SELECT ") + kTokenColumns + " FROM management_tokens ORDER BY id");
    std::vector<ManagementToken> tokens;
    for (int row = 0; row < rows.size(); ++row)
      tokens.push_back(read_token(rows, row));
    return tokens;
  });
}

Result<ManagementToken> PgProjectStore::revoke_management_token(std::string_view token_id) {
  return translate_errors("revoke token", [&]() -> Result<ManagementToken> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    // Locked, so that of two nodes revoking it at once the second sees it revoked.
    auto rows = conn->exec(std::string("SELECT ") + kTokenColumns +
                               " FROM management_tokens WHERE uuid = $1 FOR UPDATE",
                           Params().add(token_id));
    if (rows.empty())
      return make_error(ErrorKind::kNotFound,
                        "no management token with id " + std::string(token_id));
    auto token = read_token(rows, 0);
    if (token.revoked_at)
      return make_error(ErrorKind::kConflict,
                        "management token " + token.id + " is already revoked");
    token.revoked_at = now();
    conn->exec("UPDATE management_tokens SET revoked_at = $1 WHERE uuid = $2",
               Params().add(*token.revoked_at).add(token_id));
    tx.commit();
    return token;
  });
}

Result<bool> PgProjectStore::is_active_management_token(const SecretDigest& digest) {
  return translate_errors("authenticate token", [&]() -> Result<bool> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(
        "SELECT 1 FROM management_tokens WHERE token_hash = $1 AND revoked_at IS NULL "
        "AND (expires_at IS NULL OR expires_at > $2)",
        Params().add_bytes(digest_bytes(digest)).add(now()));
    return !rows.empty();
  });
}

Result<std::int64_t> PgProjectStore::events_on_day(std::int64_t project_rowid, std::int64_t day) {
  return translate_errors("read usage", [&]() -> Result<std::int64_t> {
    auto conn = pool_->acquire();
    auto rows = conn->exec("SELECT events FROM usage_daily WHERE project_id = $1 AND day = $2",
                           Params().add(project_rowid).add(day));
    return rows.empty() ? std::int64_t{0} : rows.int64(0, 0);
  });
}

Result<std::optional<std::string>> PgProjectStore::setting(std::string_view name) {
  return translate_errors("read setting", [&]() -> Result<std::optional<std::string>> {
    auto conn = pool_->acquire();
    return read_setting(*conn, name);
  });
}

Result<std::string> PgProjectStore::setting_or_insert(std::string_view name,
                                                      std::string_view value) {
  return translate_errors("write setting", [&]() -> Result<std::string> {
    auto conn = pool_->acquire();
    // Two statements, outside a transaction: when another node inserted the
    // name first, the insert waits for its commit and does nothing, and the
    // SELECT (a fresh snapshot under READ COMMITTED) then reads its value,
    // so every node ends up with the same one.
    conn->exec("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
               Params().add(name).add_bytes(value));
    auto stored = read_setting(*conn, name);
    if (!stored)
      return make_error(ErrorKind::kInternal, "setting " + std::string(name) + " vanished");
    return *stored;
  });
}

}  // namespace agentsudo::server::postgres
