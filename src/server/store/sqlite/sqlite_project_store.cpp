#include "server/store/sqlite/sqlite_project_store.hpp"

#include "core/uuid.hpp"
#include "server/model/clock.hpp"

namespace agentsudo::server::sqlite {
namespace {

UnixMicros now() {
  return SystemClock().now();
}

constexpr const char* kProjectColumns = "id, uuid, name, tier, daily_quota, created_at";

Project read_project(Statement& row) {
  return Project{row.column_int64(0), std::string(row.column_text(1)),
                 std::string(row.column_text(2)),
                 Tier{std::string(row.column_text(3)), row.column_int64(4)}, row.column_int64(5)};
}

ApiKeyRecord read_key(Statement& row) {
  ApiKeyRecord key{std::string(row.column_text(0)),
                   std::string(row.column_text(1)),
                   std::string(row.column_text(2)),
                   row.column_int64(3),
                   std::nullopt,
                   std::nullopt};
  if (!row.column_is_null(4))
    key.revoked_at = row.column_int64(4);
  if (!row.column_is_null(5))
    key.last_used_at = row.column_int64(5);
  return key;
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

}  // namespace

SqliteProjectStore::SqliteProjectStore(std::unique_ptr<Database> writer,
                                       std::shared_ptr<ConnectionPool> readers)
    : writer_(std::move(writer)), readers_(std::move(readers)) {}

Result<Project> SqliteProjectStore::create_project(std::string_view name, const Tier& tier) {
  return translate_errors("create project", [&]() -> Result<Project> {
    std::lock_guard lock(write_mutex_);
    Project project{0, make_uuid_v7(now() / 1000), std::string(name), tier, now()};
    // Never reuses a deleted project's rowid: in-memory state keyed by it
    // (quota counts, the writer's agent cache) must not pass to a new project.
    auto insert = writer_->prepare_cached(
        "INSERT INTO projects (id, uuid, name, tier, daily_quota, created_at) VALUES ("
        "1 + max(coalesce((SELECT max(id) FROM projects), 0), coalesce((SELECT CAST(value AS "
        "INTEGER) FROM settings WHERE name = 'deleted_project_rowid_high_water'), 0)), "
        "?, ?, ?, ?, ?)");
    insert->bind(1, project.id);
    insert->bind(2, project.name);
    insert->bind(3, tier.name);
    insert->bind(4, tier.daily_quota);
    insert->bind(5, project.created_at);
    insert->run();
    project.rowid = writer_->last_insert_rowid();
    return project;
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

Status SqliteProjectStore::set_tier(std::string_view project_id, const Tier& tier) {
  return translate_errors("set tier", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    auto update =
        writer_->prepare_cached("UPDATE projects SET tier = ?, daily_quota = ? WHERE uuid = ?");
    update->bind(1, tier.name);
    update->bind(2, tier.daily_quota);
    update->bind(3, project_id);
    update->run();
    if (writer_->changes() == 0)
      return project_not_found(project_id);
    return {};
  });
}

Status SqliteProjectStore::rename_project(std::string_view project_id, std::string_view name) {
  return translate_errors("rename project", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    auto update = writer_->prepare_cached("UPDATE projects SET name = ? WHERE uuid = ?");
    update->bind(1, name);
    update->bind(2, project_id);
    update->run();
    if (writer_->changes() == 0)
      return project_not_found(project_id);
    return {};
  });
}

Status SqliteProjectStore::delete_project(std::string_view project_id) {
  return translate_errors("delete project", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    auto mark = writer_->prepare_cached(
        "INSERT INTO settings (name, value) SELECT 'deleted_project_rowid_high_water', id "
        "FROM projects WHERE uuid = ? ON CONFLICT (name) DO UPDATE SET "
        "value = max(CAST(value AS INTEGER), excluded.value)");
    mark->bind(1, project_id);
    mark->run();
    // Foreign keys cascade to keys, agents, events, usage and members.
    auto remove = writer_->prepare_cached("DELETE FROM projects WHERE uuid = ?");
    remove->bind(1, project_id);
    remove->run();
    if (writer_->changes() == 0)
      return project_not_found(project_id);
    tx.commit();
    return {};
  });
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

Status SqliteProjectStore::revoke_api_key(std::string_view key_id) {
  return translate_errors("revoke key", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    auto update = writer_->prepare_cached(
        "UPDATE api_keys SET revoked_at = ? WHERE uuid = ? AND revoked_at IS NULL");
    update->bind(1, now());
    update->bind(2, key_id);
    update->run();
    if (writer_->changes() == 0) {
      return make_error(ErrorKind::kNotFound, "no active key with id " + std::string(key_id));
    }
    return {};
  });
}

Result<ApiKeyRecord> SqliteProjectStore::rotate_api_key(std::string_view key_id,
                                                        const IssuedSecret& replacement) {
  return translate_errors("rotate key", [&]() -> Result<ApiKeyRecord> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    std::int64_t project_rowid = 0;
    std::string project_id;
    {
      auto find = writer_->prepare_cached(
          "SELECT k.project_id, p.uuid FROM api_keys k JOIN projects p ON p.id = k.project_id "
          "WHERE k.uuid = ? AND k.revoked_at IS NULL");
      find->bind(1, key_id);
      if (!find->step()) {
        return make_error(ErrorKind::kNotFound, "no active key with id " + std::string(key_id));
      }
      project_rowid = find->column_int64(0);
      project_id = find->column_text(1);
    }
    auto revoke = writer_->prepare_cached("UPDATE api_keys SET revoked_at = ? WHERE uuid = ?");
    revoke->bind(1, now());
    revoke->bind(2, key_id);
    revoke->run();
    auto record = insert_api_key(*writer_, project_rowid, project_id, replacement);
    tx.commit();
    return record;
  });
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

Status SqliteProjectStore::add_management_token(const IssuedSecret& token) {
  return translate_errors("create token", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    auto insert = writer_->prepare_cached(
        "INSERT INTO management_tokens (uuid, token_hash, prefix, created_at) VALUES (?, ?, ?, ?)");
    insert->bind(1, make_uuid_v7(now() / 1000));
    insert->bind_blob(2, token.digest.data(), token.digest.size());
    insert->bind(3, token.display_prefix);
    insert->bind(4, now());
    insert->run();
    return {};
  });
}

Result<bool> SqliteProjectStore::is_active_management_token(const SecretDigest& digest) {
  return translate_errors("authenticate token", [&]() -> Result<bool> {
    auto db = readers_->acquire();
    auto row = db->prepare_cached(
        "SELECT 1 FROM management_tokens WHERE token_hash = ? AND revoked_at IS NULL");
    row->bind_blob(1, digest.data(), digest.size());
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
    auto row = db->prepare_cached("SELECT value FROM settings WHERE name = ?");
    row->bind(1, name);
    if (!row->step())
      return std::optional<std::string>();
    return std::optional<std::string>(std::string(row->column_text(0)));
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
