#include "server/store/sqlite/sqlite_account_store.hpp"

#include "core/uuid.hpp"
#include "server/model/clock.hpp"

namespace agentsudo::server::sqlite {
namespace {

UnixMicros now() {
  return SystemClock().now();
}

constexpr const char* kUserColumns = "u.id, u.uuid, u.email, u.is_admin, u.created_at";

User read_user(Statement& row) {
  return User{row.column_int64(0), std::string(row.column_text(1)), std::string(row.column_text(2)),
              row.column_int64(3) != 0, row.column_int64(4)};
}

Error user_not_found(std::string_view user_id) {
  return make_error(ErrorKind::kNotFound, "no user with id " + std::string(user_id));
}

std::int64_t count_rows(Database& db, const std::string& sql) {
  auto row = db.prepare_cached(sql);
  row->step();
  return row->column_int64(0);
}

// Makes a first user a member of every project created before anyone could log in.
void join_every_project(Database& db, std::int64_t user_rowid, UnixMicros at) {
  auto insert = db.prepare_cached(
      "INSERT INTO project_members (project_id, user_id, created_at) "
      "SELECT id, ?, ? FROM projects");
  insert->bind(1, user_rowid);
  insert->bind(2, at);
  insert->run();
}

}  // namespace

SqliteAccountStore::SqliteAccountStore(std::unique_ptr<Database> writer,
                                       std::shared_ptr<ConnectionPool> readers)
    : writer_(std::move(writer)), readers_(std::move(readers)) {}

Result<std::int64_t> SqliteAccountStore::count_users() {
  return translate_errors("count users", [&]() -> Result<std::int64_t> {
    auto db = readers_->acquire();
    return count_rows(*db, "SELECT count(*) FROM users");
  });
}

Result<User> SqliteAccountStore::create_user(const NewUser& new_user) {
  return translate_errors("create user", [&]() -> Result<User> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    bool first = count_rows(*writer_, "SELECT count(*) FROM users") == 0;
    if (new_user.only_if_first && !first)
      return make_error(ErrorKind::kConflict, "setup is already done: a user exists");
    {
      auto taken = writer_->prepare_cached("SELECT 1 FROM users WHERE email = ?");
      taken->bind(1, new_user.email);
      if (taken->step())
        return make_error(ErrorKind::kConflict, "a user with this email exists", "email");
    }
    User user{0, make_uuid_v7(now() / 1000), new_user.email, new_user.is_admin || first, now()};
    auto insert = writer_->prepare_cached(
        "INSERT INTO users (uuid, email, password_hash, is_admin, created_at) "
        "VALUES (?, ?, ?, ?, ?)");
    insert->bind(1, user.id);
    insert->bind(2, user.email);
    insert->bind(3, new_user.password_hash);
    insert->bind(4, std::int64_t{user.is_admin ? 1 : 0});
    insert->bind(5, user.created_at);
    insert->run();
    user.rowid = writer_->last_insert_rowid();
    if (first)
      join_every_project(*writer_, user.rowid, user.created_at);
    tx.commit();
    return user;
  });
}

Result<std::vector<User>> SqliteAccountStore::list_users() {
  return translate_errors("list users", [&]() -> Result<std::vector<User>> {
    auto db = readers_->acquire();
    auto rows =
        db->prepare_cached(std::string("SELECT ") + kUserColumns + " FROM users u ORDER BY u.id");
    std::vector<User> users;
    while (rows->step())
      users.push_back(read_user(*rows));
    return users;
  });
}

Result<User> SqliteAccountStore::find_user(std::string_view user_id) {
  return translate_errors("find user", [&]() -> Result<User> {
    auto db = readers_->acquire();
    auto row = db->prepare_cached(std::string("SELECT ") + kUserColumns +
                                  " FROM users u WHERE u.uuid = ?");
    row->bind(1, user_id);
    if (!row->step())
      return user_not_found(user_id);
    return read_user(*row);
  });
}

Result<UserWithPassword> SqliteAccountStore::find_user_by_email(std::string_view email) {
  return translate_errors("find user", [&]() -> Result<UserWithPassword> {
    auto db = readers_->acquire();
    auto row = db->prepare_cached(std::string("SELECT ") + kUserColumns +
                                  ", u.password_hash FROM users u WHERE u.email = ?");
    row->bind(1, email);
    if (!row->step())
      return make_error(ErrorKind::kNotFound, "no user with this email");
    return UserWithPassword{read_user(*row), std::string(row->column_text(5))};
  });
}

Status SqliteAccountStore::delete_user(std::string_view user_id) {
  return translate_errors("delete user", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    bool is_admin = false;
    {
      auto row = writer_->prepare_cached("SELECT is_admin FROM users WHERE uuid = ?");
      row->bind(1, user_id);
      if (!row->step())
        return user_not_found(user_id);
      is_admin = row->column_int64(0) != 0;
    }
    if (is_admin && count_rows(*writer_, "SELECT count(*) FROM users WHERE is_admin = 1") <= 1)
      return make_error(ErrorKind::kConflict, "the last admin cannot be deleted");
    auto remove = writer_->prepare_cached("DELETE FROM users WHERE uuid = ?");
    remove->bind(1, user_id);
    remove->run();
    tx.commit();
    return {};
  });
}

Status SqliteAccountStore::add_session(const SecretDigest& token, std::int64_t user_rowid,
                                       std::string_view csrf_token, UnixMicros expires_at,
                                       UnixMicros now) {
  return translate_errors("start session", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    // Expired sessions are swept here, so the table stays as small as the live set.
    auto sweep = writer_->prepare_cached("DELETE FROM sessions WHERE expires_at <= ?");
    sweep->bind(1, now);
    sweep->run();
    auto insert = writer_->prepare_cached(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, created_at) "
        "VALUES (?, ?, ?, ?, ?)");
    insert->bind_blob(1, token.data(), token.size());
    insert->bind(2, user_rowid);
    insert->bind(3, csrf_token);
    insert->bind(4, expires_at);
    insert->bind(5, now);
    insert->run();
    tx.commit();
    return {};
  });
}

Result<SessionRecord> SqliteAccountStore::find_session(const SecretDigest& token, UnixMicros now) {
  return translate_errors("find session", [&]() -> Result<SessionRecord> {
    auto db = readers_->acquire();
    auto row = db->prepare_cached(std::string("SELECT ") + kUserColumns +
                                  ", s.csrf_token, s.expires_at FROM sessions s "
                                  "JOIN users u ON u.id = s.user_id "
                                  "WHERE s.token_hash = ? AND s.expires_at > ?");
    row->bind_blob(1, token.data(), token.size());
    row->bind(2, now);
    if (!row->step())
      return make_error(ErrorKind::kUnauthorized, "the session has expired or ended: log in again");
    return SessionRecord{read_user(*row), std::string(row->column_text(5)), row->column_int64(6)};
  });
}

Status SqliteAccountStore::extend_session(const SecretDigest& token, UnixMicros expires_at) {
  return translate_errors("extend session", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    auto update = writer_->prepare_cached(
        "UPDATE sessions SET expires_at = max(expires_at, ?) WHERE token_hash = ?");
    update->bind(1, expires_at);
    update->bind_blob(2, token.data(), token.size());
    update->run();
    return {};
  });
}

Status SqliteAccountStore::delete_session(const SecretDigest& token) {
  return translate_errors("end session", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    auto remove = writer_->prepare_cached("DELETE FROM sessions WHERE token_hash = ?");
    remove->bind_blob(1, token.data(), token.size());
    remove->run();
    return {};
  });
}

Status SqliteAccountStore::set_password_hash(std::int64_t user_rowid,
                                             std::string_view password_hash,
                                             const std::optional<SecretDigest>& keep) {
  return translate_errors("set password", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    auto update = writer_->prepare_cached("UPDATE users SET password_hash = ? WHERE id = ?");
    update->bind(1, password_hash);
    update->bind(2, user_rowid);
    update->run();
    if (writer_->changes() == 0)
      return make_error(ErrorKind::kNotFound, "no such user");
    // Against NULL, IS NOT holds for every row: all the user's sessions end.
    auto end_sessions =
        writer_->prepare_cached("DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?");
    end_sessions->bind(1, user_rowid);
    if (keep)
      end_sessions->bind_blob(2, keep->data(), keep->size());
    else
      end_sessions->bind_null(2);
    end_sessions->run();
    tx.commit();
    return {};
  });
}

Result<bool> SqliteAccountStore::is_member(std::int64_t project_rowid, std::int64_t user_rowid) {
  return translate_errors("check membership", [&]() -> Result<bool> {
    auto db = readers_->acquire();
    auto row =
        db->prepare_cached("SELECT 1 FROM project_members WHERE project_id = ? AND user_id = ?");
    row->bind(1, project_rowid);
    row->bind(2, user_rowid);
    return row->step();
  });
}

Result<std::vector<Project>> SqliteAccountStore::projects_of(std::int64_t user_rowid) {
  return translate_errors("list projects", [&]() -> Result<std::vector<Project>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(
        "SELECT p.id, p.uuid, p.name, p.tier, p.daily_quota, p.created_at, p.retention_days, "
        "coalesce(p.retained_since, (SELECT e.received_at FROM events e "
        "WHERE e.project_id = p.id ORDER BY e.seq LIMIT 1)) FROM projects p "
        "JOIN project_members m ON m.project_id = p.id WHERE m.user_id = ? ORDER BY p.id");
    rows->bind(1, user_rowid);
    std::vector<Project> projects;
    while (rows->step()) {
      Project project{rows->column_int64(0),
                      std::string(rows->column_text(1)),
                      std::string(rows->column_text(2)),
                      Tier{std::string(rows->column_text(3)), rows->column_int64(4)},
                      rows->column_int64(5),
                      {},
                      {}};
      if (!rows->column_is_null(6))
        project.retention_days = rows->column_int64(6);
      if (!rows->column_is_null(7))
        project.data_since = rows->column_int64(7);
      projects.push_back(std::move(project));
    }
    return projects;
  });
}

Result<std::vector<User>> SqliteAccountStore::members_of(std::int64_t project_rowid) {
  return translate_errors("list members", [&]() -> Result<std::vector<User>> {
    auto db = readers_->acquire();
    auto rows = db->prepare_cached(std::string("SELECT ") + kUserColumns +
                                   " FROM users u JOIN project_members m ON m.user_id = u.id "
                                   "WHERE m.project_id = ? ORDER BY u.id");
    rows->bind(1, project_rowid);
    std::vector<User> users;
    while (rows->step())
      users.push_back(read_user(*rows));
    return users;
  });
}

Status SqliteAccountStore::add_member(std::int64_t project_rowid, std::int64_t user_rowid) {
  return translate_errors("add member", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    auto insert = writer_->prepare_cached(
        "INSERT INTO project_members (project_id, user_id, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING");
    insert->bind(1, project_rowid);
    insert->bind(2, user_rowid);
    insert->bind(3, now());
    insert->run();
    if (writer_->changes() == 0)
      return make_error(ErrorKind::kConflict, "the user is already a member", "email");
    return {};
  });
}

Result<User> SqliteAccountStore::add_member_by_email(std::int64_t project_rowid,
                                                     std::string_view email) {
  return translate_errors("add member", [&]() -> Result<User> {
    std::lock_guard lock(write_mutex_);
    Transaction tx(*writer_);
    User user;
    {
      auto row = writer_->prepare_cached(std::string("SELECT ") + kUserColumns +
                                         " FROM users u WHERE u.email = ?");
      row->bind(1, email);
      if (!row->step())
        return make_error(ErrorKind::kNotFound, "no user has this email", "email");
      user = read_user(*row);
    }
    auto insert = writer_->prepare_cached(
        "INSERT INTO project_members (project_id, user_id, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING");
    insert->bind(1, project_rowid);
    insert->bind(2, user.rowid);
    insert->bind(3, now());
    insert->run();
    if (writer_->changes() == 0)
      return make_error(ErrorKind::kConflict, "the user is already a member", "email");
    tx.commit();
    return user;
  });
}

Status SqliteAccountStore::remove_member(std::int64_t project_rowid, std::string_view user_id) {
  return translate_errors("remove member", [&]() -> Status {
    std::lock_guard lock(write_mutex_);
    auto remove = writer_->prepare_cached(
        "DELETE FROM project_members WHERE project_id = ? "
        "AND user_id = (SELECT id FROM users WHERE uuid = ?)");
    remove->bind(1, project_rowid);
    remove->bind(2, user_id);
    remove->run();
    if (writer_->changes() == 0)
      return make_error(ErrorKind::kNotFound, "no member with id " + std::string(user_id));
    return {};
  });
}

}  // namespace agentsudo::server::sqlite
