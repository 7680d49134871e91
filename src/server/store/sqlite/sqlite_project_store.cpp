#include "server/store/sqlite/sqlite_project_store.hpp"

#include "core/uuid.hpp"
#include "server/model/clock.hpp"
#include "server/store/sqlite/crash_point.hpp"

namespace agentsudo::server::sqlite {
namespace {

UnixMicros now() {
  return SystemClock().now();
}

// data_since: the first event by seq is one step of events_by_project.
constexpr const char* kProjectColumns =
    "id, uuid, name, tier, daily_quota, created_at, retention_days, "
    "coalesce(retained_since, (SELECT e.received_at FROM events e "
    "WHERE e.project_id = projects.id ORDER BY e.seq LIMIT 1))";

std::optional<UnixMicros> optional_time(Statement& row, int column) {
  if (row.column_is_null(column))
    return std::nullopt;
  return row.column_int64(column);
}

Project read_project(Statement& row) {
  Project project{row.column_int64(0),
                  std::string(row.column_text(1)),
                  std::string(row.column_text(2)),
                  Tier{std::string(row.column_text(3)), row.column_int64(4)},
                  row.column_int64(5),
                  optional_time(row, 6),
                  optional_time(row, 7)};
  return project;
}

ApiKeyRecord read_key(Statement& row) {
  return ApiKeyRecord{std::string(row.column_text(0)), std::string(row.column_text(1)),
                      std::string(row.column_text(2)), row.column_int64(3),
                      optional_time(row, 4),           optional_time(row, 5)};
}

constexpr const char* kTokenColumns = "uuid, prefix, name, created_at, expires_at, revoked_at";

ManagementToken read_token(Statement& row) {
  ManagementToken token{std::string(row.column_text(0)),
                        std::string(row.column_text(1)),
                        std::nullopt,
                        row.column_int64(3),
                        optional_time(row, 4),
                        optional_time(row, 5)};
  if (!row.column_is_null(2))
    token.name = std::string(row.column_text(2));
  return token;
}

Error project_not_found(std::string_view project_id) {
  return make_error(ErrorKind::kNotFound, "no project with id " + std::string(project_id));
}

Result<Project> lookup_project(Database& db, std::string_view project_id) {
  auto row =
      db.prepare_cached(std::string("SELECT ") + kProjectColumns + " FROM projects WHERE uuid = ?");
  row->bind(1, project_id);
  if (!row->step())
    return project_not_found(project_id);
  return read_project(*row);
}

// An unrevoked key with what revoking or replacing it needs.
struct ActiveKey {
  std::int64_t rowid = 0;
  std::int64_t project_rowid = 0;
  ApiKeyRecord record;
};

// The key when it is active and, if `project_id` is given, that project's:
// the project is part of the statement, so no key of another project is
// ever found. kNotFound otherwise.
Result<ActiveKey> lookup_active_key(Database& db, std::optional<std::string_view> project_id,
                                    std::string_view key_id) {
  auto row = db.prepare_cached(
      "SELECT k.uuid, p.uuid, k.prefix, k.created_at, k.revoked_at, k.last_used_at, k.id, p.id "
      "FROM api_keys k JOIN projects p ON p.id = k.project_id "
      "WHERE k.uuid = ?1 AND k.revoked_at IS NULL AND (?2 IS NULL OR p.uuid = ?2)");
  row->bind(1, key_id);
  if (project_id)
    row->bind(2, *project_id);
  else
    row->bind_null(2);
  if (!row->step())
    return make_error(ErrorKind::kNotFound, "no active key with id " + std::string(key_id));
  return ActiveKey{row->column_int64(6), row->column_int64(7), read_key(*row)};
}

std::optional<std::string> read_setting(Database& db, std::string_view name) {
  auto row = db.prepare_cached("SELECT value FROM settings WHERE name = ?");
  row->bind(1, name);
  if (!row->step())
    return std::nullopt;
  return std::string(row->column_text(0));
}

}  // namespace

SqliteProjectStore::SqliteProjectStore(std::unique_ptr<Database> writer,
                                       std::shared_ptr<ConnectionPool> readers,
                                       std::shared_ptr<CredentialsGeneration> credentials)
    : writer_(std::move(writer)),
      readers_(std::move(readers)),
      credentials_(std::move(credentials)) {}

Result<CreatedProject> SqliteProjectStore::create_project(const NewProjectRecord& record) {
  return translate_errors("create project", [&]() -> Result<CreatedProject> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    if (record.once_setting && read_setting(*writer_, *record.once_setting)) {
      return make_error(ErrorKind::kConflict,
                        "a project was already created for " + *record.once_setting);
    }
    Project project{0, make_uuid_v7(now() / 1000), record.name, record.tier, now(), {}, {}};
    {
      // Never reuses a deleted project's rowid: in-memory state keyed by it
      // (quota counts, the writer's agent cache) must not pass to a new project.
      auto insert = writer_->prepare_cached(
          "INSERT INTO projects (id, uuid, name, tier, daily_quota, created_at) VALUES ("
          "1 + max(coalesce((SELECT max(id) FROM projects), 0), coalesce((SELECT CAST(value AS "
          "INTEGER) FROM settings WHERE name = 'deleted_project_rowid_high_water'), 0)), "
          "?, ?, ?, ?, ?)");
      insert->bind(1, project.id);
      insert->bind(2, project.name);
      insert->bind(3, project.tier.name);
      insert->bind(4, project.tier.daily_quota);
      insert->bind(5, project.created_at);
      insert->run();
      project.rowid = writer_->last_insert_rowid();
    }
    AGENTSUDO_CRASH_POINT("project.create.after_project");
    auto key = insert_api_key(*writer_, project.rowid, project.id, record.first_key);
    AGENTSUDO_CRASH_POINT("project.create.after_key");
    if (record.first_member_rowid) {
      auto join = writer_->prepare_cached(
          "INSERT INTO project_members (project_id, user_id, created_at) VALUES (?, ?, ?)");
      join->bind(1, project.rowid);
      join->bind(2, *record.first_member_rowid);
      join->bind(3, project.created_at);
      join->run();
    }
    AGENTSUDO_CRASH_POINT("project.create.after_member");
    if (record.once_setting) {
      auto mark = writer_->prepare_cached("INSERT INTO settings (name, value) VALUES (?, ?)");
      mark->bind(1, *record.once_setting);
      mark->bind(2, project.id);
      mark->run();
    }
    tx.commit();
    return CreatedProject{std::move(project), std::move(key)};
  });
}

Result<std::vector<Project>> SqliteProjectStore::list_projects() {
  return translate_errors("list projects", [&]() -> Result<std::vector<Project>> {
    auto db = readers_->acquire();
    auto rows =
        db->prepare_cached(std::string("SELECT ") + kProjectColumns + " FROM projects ORDER BY id");
    std::vector<Project> projects;
    while (rows->step())
      projects.push_back(read_project(*rows));
    return projects;
  });
}

Result<Project> SqliteProjectStore::find_project(std::string_view project_id) {
  return translate_errors("find project", [&]() -> Result<Project> {
    auto db = readers_->acquire();
    return lookup_project(*db, project_id);
  });
}

Result<Project> SqliteProjectStore::update_project(std::string_view project_id,
                                                   const ProjectChanges& changes) {
  // A key's owner carries the project's quota.
  auto updated = translate_errors("update project", [&]() -> Result<Project> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    ASSIGN_OR_RETURN(auto project, lookup_project(*writer_, project_id));
    if (changes.name) {
      auto update = writer_->prepare_cached("UPDATE projects SET name = ? WHERE id = ?");
      update->bind(1, *changes.name);
      update->bind(2, project.rowid);
      update->run();
      project.name = *changes.name;
    }
    AGENTSUDO_CRASH_POINT("project.update.after_rename");
    if (changes.tier) {
      auto update =
          writer_->prepare_cached("UPDATE projects SET tier = ?, daily_quota = ? WHERE id = ?");
      update->bind(1, changes.tier->name);
      update->bind(2, changes.tier->daily_quota);
      update->bind(3, project.rowid);
      update->run();
      project.tier = *changes.tier;
    }
    if (changes.retention_days) {
      auto update = writer_->prepare_cached("UPDATE projects SET retention_days = ? WHERE id = ?");
      if (*changes.retention_days)
        update->bind(1, **changes.retention_days);
      else
        update->bind_null(1);
      update->bind(2, project.rowid);
      update->run();
      project.retention_days = *changes.retention_days;
    }
    tx.commit();
    return project;
  });
  if (changes.tier)
    credentials_->advance();
  return updated;
}

Status SqliteProjectStore::delete_project(std::string_view project_id) {
  auto deleted = translate_errors("delete project", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    auto mark = writer_->prepare_cached(
        "INSERT INTO settings (name, value) SELECT 'deleted_project_rowid_high_water', id "
        "FROM projects WHERE uuid = ? ON CONFLICT (name) DO UPDATE SET "
        "value = max(CAST(value AS INTEGER), excluded.value)");
    mark->bind(1, project_id);
    mark->run();
    AGENTSUDO_CRASH_POINT("project.delete.after_mark");
    // Foreign keys cascade to keys, agents, events, usage and members.
    auto remove = writer_->prepare_cached("DELETE FROM projects WHERE uuid = ?");
    remove->bind(1, project_id);
    remove->run();
    if (writer_->changes() == 0)
      return project_not_found(project_id);
    tx.commit();
    return {};
  });
  credentials_->advance();
  return deleted;
}

ApiKeyRecord SqliteProjectStore::insert_api_key(Database& db, std::int64_t project_rowid,
                                                std::string_view project_id,
                                                const IssuedSecret& key) {
  ApiKeyRecord record{make_uuid_v7(now() / 1000),
                      std::string(project_id),
                      key.display_prefix,
                      now(),
                      std::nullopt,
                      std::nullopt};
  auto insert = db.prepare_cached(
      "INSERT INTO api_keys (uuid, project_id, key_hash, prefix, created_at) "
      "VALUES (?, ?, ?, ?, ?)");
  insert->bind(1, record.id);
  insert->bind(2, project_rowid);
  insert->bind_blob(3, key.digest.data(), key.digest.size());
  insert->bind(4, record.prefix);
  insert->bind(5, record.created_at);
  insert->run();
  return record;
}

Result<ApiKeyRecord> SqliteProjectStore::add_api_key(std::string_view project_id,
                                                     const IssuedSecret& key) {
  return translate_errors("create key", [&]() -> Result<ApiKeyRecord> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    ASSIGN_OR_RETURN(auto project, lookup_project(*writer_, project_id));
    auto record = insert_api_key(*writer_, project.rowid, project.id, key);
    tx.commit();
    return record;
  });
}

Result<std::vector<ApiKeyRecord>> SqliteProjectStore::list_api_keys(std::string_view project_id) {
  return translate_errors("list keys", [&]() -> Result<std::vector<ApiKeyRecord>> {
    auto db = readers_->acquire();
    ASSIGN_OR_RETURN(auto project, lookup_project(*db, project_id));
    auto rows = db->prepare_cached(
        "SELECT k.uuid, p.uuid, k.prefix, k.created_at, k.revoked_at, k.last_used_at FROM api_keys "
        "k "
        "JOIN projects p ON p.id = k.project_id WHERE k.project_id = ? ORDER BY k.id");
    rows->bind(1, project.rowid);
    std::vector<ApiKeyRecord> keys;
    while (rows->step())
      keys.push_back(read_key(*rows));
    return keys;
  });
}

Result<ApiKeyRecord> SqliteProjectStore::revoke_api_key(std::optional<std::string_view> project_id,
                                                        std::string_view key_id) {
  auto revoked = translate_errors("revoke key", [&]() -> Result<ApiKeyRecord> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    ASSIGN_OR_RETURN(auto key, lookup_active_key(*writer_, project_id, key_id));
    auto revoke = writer_->prepare_cached("UPDATE api_keys SET revoked_at = ? WHERE id = ?");
    key.record.revoked_at = now();
    revoke->bind(1, *key.record.revoked_at);
    revoke->bind(2, key.rowid);
    revoke->run();
    tx.commit();
    return std::move(key.record);
  });
  credentials_->advance();
  return revoked;
}

Result<ApiKeyRecord> SqliteProjectStore::rotate_api_key(std::optional<std::string_view> project_id,
                                                        std::string_view key_id,
                                                        const IssuedSecret& replacement) {
  auto rotated = translate_errors("rotate key", [&]() -> Result<ApiKeyRecord> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    ASSIGN_OR_RETURN(auto key, lookup_active_key(*writer_, project_id, key_id));
    auto revoke = writer_->prepare_cached("UPDATE api_keys SET revoked_at = ? WHERE id = ?");
    revoke->bind(1, now());
    revoke->bind(2, key.rowid);
    revoke->run();
    AGENTSUDO_CRASH_POINT("key.rotate.after_revoke");
    auto record = insert_api_key(*writer_, key.project_rowid, key.record.project_id, replacement);
    tx.commit();
    return record;
  });
  credentials_->advance();
  return rotated;
}

Result<KeyOwner> SqliteProjectStore::find_key_owner(const SecretDigest& digest) {
  return translate_errors("authenticate key", [&]() -> Result<KeyOwner> {
    auto db = readers_->acquire();
    auto row = db->prepare_cached(
        "SELECT p.id, p.uuid, p.daily_quota, k.id FROM api_keys k "
        "JOIN projects p ON p.id = k.project_id "
        "WHERE k.key_hash = ? AND k.revoked_at IS NULL");
    row->bind_blob(1, digest.data(), digest.size());
    if (!row->step()) {
      return make_error(ErrorKind::kInvalidApiKey, "Invalid API key");
    }
    return KeyOwner{row->column_int64(0), std::string(row->column_text(1)), row->column_int64(2),
                    row->column_int64(3)};
  });
}

Result<ManagementToken> SqliteProjectStore::add_management_token(
    const IssuedSecret& token, const ManagementTokenSettings& settings) {
  return translate_errors("create token", [&]() -> Result<ManagementToken> {
    std::lock_guard lock(write_mutex_);
    ManagementToken record{make_uuid_v7(now() / 1000), token.display_prefix, settings.name, now(),
                           settings.expires_at,        std::nullopt};
    auto insert = writer_->prepare_cached(
        "INSERT INTO management_tokens (uuid, token_hash, prefix, name, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    insert->bind(1, record.id);
    insert->bind_blob(2, token.digest.data(), token.digest.size());
    insert->bind(3, record.prefix);
    insert->bind_optional(4, record.name);
    insert->bind(5, record.created_at);
    if (record.expires_at)
      insert->bind(6, *record.expires_at);
    else
      insert->bind_null(6);
    insert->run();
    return record;
  });
}

Result<std::vector<ManagementToken>> SqliteProjectStore::list_management_tokens() {
  return translate_errors("list tokens", [&]() -> Result<std::vector<ManagementToken>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(std::string("SELECT ") + kTokenColumns +
                                   " FROM management_tokens ORDER BY id");
    std::vector<ManagementToken> tokens;
    while (rows->step())
      tokens.push_back(read_token(*rows));
    return tokens;
  });
}

Result<ManagementToken> SqliteProjectStore::revoke_management_token(std::string_view token_id) {
  return translate_errors("revoke token", [&]() -> Result<ManagementToken> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    auto row = writer_->prepare_cached(std::string("SELECT ") + kTokenColumns +
                                       " FROM management_tokens WHERE uuid = ?");
    row->bind(1, token_id);
    if (!row->step())
      return make_error(ErrorKind::kNotFound,
                        "no management token with id " + std::string(token_id));
    auto token = read_token(*row);
    row->reset();
    if (token.revoked_at)
      return make_error(ErrorKind::kConflict,
                        "management token " + token.id + " is already revoked");
    token.revoked_at = now();
    auto revoke =
        writer_->prepare_cached("UPDATE management_tokens SET revoked_at = ? WHERE uuid = ?");
    revoke->bind(1, *token.revoked_at);
    revoke->bind(2, token_id);
    revoke->run();
    tx.commit();
    return token;
  });
}

Result<bool> SqliteProjectStore::is_active_management_token(const SecretDigest& digest) {
  return translate_errors("authenticate token", [&]() -> Result<bool> {
    auto db = readers_->acquire();
    auto row = db->prepare_cached(
        "SELECT 1 FROM management_tokens WHERE token_hash = ? AND revoked_at IS NULL "
        "AND (expires_at IS NULL OR expires_at > ?)");
    row->bind_blob(1, digest.data(), digest.size());
    row->bind(2, now());
    return row->step();
  });
}

Result<std::int64_t> SqliteProjectStore::events_on_day(std::int64_t project_rowid,
                                                       std::int64_t day) {
  return translate_errors("read usage", [&]() -> Result<std::int64_t> {
    auto db = readers_->acquire();
    auto row =
        db->prepare_cached("SELECT events FROM usage_daily WHERE project_id = ? AND day = ?");
    row->bind(1, project_rowid);
    row->bind(2, day);
    return row->step() ? row->column_int64(0) : std::int64_t{0};
  });
}

Result<std::optional<std::string>> SqliteProjectStore::setting(std::string_view name) {
  return translate_errors("read setting", [&]() -> Result<std::optional<std::string>> {
    auto db = readers_->acquire();
    return read_setting(*db, name);
  });
}

Result<std::string> SqliteProjectStore::setting_or_insert(std::string_view name,
                                                          std::string_view value) {
  return translate_errors("write setting", [&]() -> Result<std::string> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    auto insert = writer_->prepare_cached(
        "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING");
    insert->bind(1, name);
    insert->bind(2, value);
    insert->run();
    std::string stored;
    {
      auto row = writer_->prepare_cached("SELECT value FROM settings WHERE name = ?");
      row->bind(1, name);
      row->step();
      stored = row->column_text(0);
    }
    tx.commit();
    return stored;
  });
}

}  // namespace agentsudo::server::sqlite
