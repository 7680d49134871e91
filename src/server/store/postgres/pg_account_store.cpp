#include "server/store/postgres/pg_account_store.hpp"

#include "core/uuid.hpp"
#include "server/model/clock.hpp"
#include "server/store/postgres/digest_bytes.hpp"
#include "server/store/postgres/errors.hpp"

namespace agentsudo::server::postgres {
namespace {

UnixMicros now() {
  return SystemClock().now();
}

constexpr const char* kUserColumns = "u.id, u.uuid, u.email, u.is_admin, u.created_at";

User read_user(const Rows& rows, int row) {
  return User{rows.int64(row, 0), rows.string(row, 1), rows.string(row, 2), rows.boolean(row, 3),
              rows.int64(row, 4)};
}

Error user_not_found(std::string_view user_id) {
  return make_error(ErrorKind::kNotFound, "no user with id " + std::string(user_id));
}

Error already_member() {
  return make_error(ErrorKind::kConflict, "the user is already a member", "email");
}

// Whether this transaction makes the first user ever. The count alone would
// let two nodes both see no user; claiming the `first_user` setting row
// decides between them (the second waits for the first's commit, then finds
// the row taken). Once a user exists the count answers, so a store copied
// from SQLite without that row never makes another first user.
bool claims_first_user(Connection& conn, std::string_view user_id) {
  if (conn.exec("SELECT 1 FROM users LIMIT 1").size() > 0)
    return false;
  auto claimed = conn.exec(
      "INSERT INTO settings (name, value) VALUES ('first_user', $1) "
      "ON CONFLICT (name) DO NOTHING",
      Params().add_bytes(user_id));
  return claimed.affected() == 1;
}

// Makes a first user a member of every project created before anyone could log in.
void join_every_project(Connection& conn, std::int64_t user_rowid, UnixMicros at) {
  conn.exec(
      "INSERT INTO project_members (project_id, user_id, created_at) "
      "SELECT id, $1, $2 FROM projects ON CONFLICT DO NOTHING",
      Params().add(user_rowid).add(at));
}

}  // namespace

PgAccountStore::PgAccountStore(std::shared_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

Result<std::int64_t> PgAccountStore::count_users() {
  return translate_errors("count users", [&]() -> Result<std::int64_t> {
    auto conn = pool_->acquire();
    return conn->exec("SELECT count(*) FROM users").int64(0, 0);
  });
}

Result<User> PgAccountStore::create_user(const NewUser& new_user) {
  return translate_errors("create user", [&]() -> Result<User> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    User user{0, make_uuid_v7(now() / 1000), new_user.email, new_user.is_admin, now()};
    bool first = claims_first_user(*conn, user.id);
    if (new_user.only_if_first && !first)
      return make_error(ErrorKind::kConflict, "setup is already done: a user exists");
    user.is_admin = user.is_admin || first;
    // A node adding the same email at the same moment makes this insert wait,
    // then do nothing: the conflict names the field either way.
    auto inserted = conn->exec(
        "INSERT INTO users (uuid, email, password_hash, is_admin, created_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING RETURNING id",
        Params()
            .add(std::string_view(user.id))
            .add(std::string_view(user.email))
            .add(std::string_view(new_user.password_hash))
            .add(user.is_admin)
            .add(user.created_at));
    if (inserted.empty())
      return make_error(ErrorKind::kConflict, "a user with this email exists", "email");
    user.rowid = inserted.int64(0, 0);
    if (first)
      join_every_project(*conn, user.rowid, user.created_at);
    tx.commit();
    return user;
  });
}

Result<std::vector<User>> PgAccountStore::list_users() {
  return translate_errors("list users", [&]() -> Result<std::vector<User>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(std::string("SELECT ") + kUserColumns + " FROM users u ORDER BY u.id");
    std::vector<User> users;
    for (int row = 0; row < rows.size(); ++row)
      users.push_back(read_user(rows, row));
    return users;
  });
}

Result<User> PgAccountStore::find_user(std::string_view user_id) {
  return translate_errors("find user", [&]() -> Result<User> {
    auto conn = pool_->acquire();
    auto rows =
        conn->exec(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.uuid = $1",
                   Params().add(user_id));
    if (rows.empty())
      return user_not_found(user_id);
    return read_user(rows, 0);
  });
}

Result<UserWithPassword> PgAccountStore::find_user_by_email(std::string_view email) {
  return translate_errors("find user", [&]() -> Result<UserWithPassword> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(
        std::string("SELECT ") + kUserColumns + ", u.password_hash FROM users u WHERE u.email = $1",
        Params().add(email));
    if (rows.empty())
      return make_error(ErrorKind::kNotFound, "no user with this email");
    return UserWithPassword{read_user(rows, 0), rows.string(0, 5)};
  });
}

Status PgAccountStore::delete_user(std::string_view user_id) {
  return translate_errors("delete user", [&]() -> Status {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    // Every admin row is locked first, in one order: two nodes deleting the
    // last two admins at once take turns, and the second counts one left.
    auto admins = conn->exec("SELECT id FROM users WHERE is_admin ORDER BY id FOR UPDATE");
    auto target =
        conn->exec("SELECT is_admin FROM users WHERE uuid = $1 FOR UPDATE", Params().add(user_id));
    if (target.empty())
      return user_not_found(user_id);
    if (target.boolean(0, 0) && admins.size() <= 1)
      return make_error(ErrorKind::kConflict, "the last admin cannot be deleted");
    conn->exec("DELETE FROM users WHERE uuid = $1", Params().add(user_id));
    tx.commit();
    return {};
  });
}

Status PgAccountStore::add_session(const SecretDigest& token, std::int64_t user_rowid,
                                   std::string_view csrf_token, UnixMicros expires_at,
                                   UnixMicros now) {
  return translate_errors("start session", [&]() -> Status {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    // Expired sessions are swept here, so the table stays as small as the live set.
    conn->exec("DELETE FROM sessions WHERE expires_at <= $1", Params().add(now));
    conn->exec(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, created_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        Params()
            .add_bytes(digest_bytes(token))
            .add(user_rowid)
            .add(csrf_token)
            .add(expires_at)
            .add(now));
    tx.commit();
    return {};
  });
}

Result<SessionRecord> PgAccountStore::find_session(const SecretDigest& token, UnixMicros now) {
  return translate_errors("find session", [&]() -> Result<SessionRecord> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(std::string("SELECT ") + kUserColumns +
                               ", s.csrf_token, s.expires_at FROM sessions s "
                               "JOIN users u ON u.id = s.user_id "
                               "WHERE s.token_hash = $1 AND s.expires_at > $2",
                           Params().add_bytes(digest_bytes(token)).add(now));
    if (rows.empty())
      return make_error(ErrorKind::kUnauthorized, "the session has expired or ended: log in again");
    return SessionRecord{read_user(rows, 0), rows.string(0, 5), rows.int64(0, 6)};
  });
}

Status PgAccountStore::extend_session(const SecretDigest& token, UnixMicros expires_at) {
  return translate_errors("extend session", [&]() -> Status {
    auto conn = pool_->acquire();
    conn->exec("UPDATE sessions SET expires_at = GREATEST(expires_at, $1) WHERE token_hash = $2",
               Params().add(expires_at).add_bytes(digest_bytes(token)));
    return {};
  });
}

Status PgAccountStore::delete_session(const SecretDigest& token) {
  return translate_errors("end session", [&]() -> Status {
    auto conn = pool_->acquire();
    conn->exec("DELETE FROM sessions WHERE token_hash = $1",
               Params().add_bytes(digest_bytes(token)));
    return {};
  });
}

Status PgAccountStore::set_password_hash(std::int64_t user_rowid, std::string_view password_hash,
                                         const std::optional<SecretDigest>& keep) {
  return translate_errors("set password", [&]() -> Status {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    auto updated = conn->exec("UPDATE users SET password_hash = $1 WHERE id = $2",
                              Params().add(password_hash).add(user_rowid));
    if (updated.affected() == 0)
      return make_error(ErrorKind::kNotFound, "no such user");
    Params params;
    params.add(user_rowid);
    if (keep)
      params.add_bytes(digest_bytes(*keep));
    else
      params.add_null();
    // Without `keep`, every session of the user ends.
    conn->exec(
        "DELETE FROM sessions WHERE user_id = $1 "
        "AND ($2::BYTEA IS NULL OR token_hash <> $2::BYTEA)",
        params);
    tx.commit();
    return {};
  });
}

Result<bool> PgAccountStore::is_member(std::int64_t project_rowid, std::int64_t user_rowid) {
  return translate_errors("check membership", [&]() -> Result<bool> {
    auto conn = pool_->acquire();
    auto rows = conn->exec("SELECT 1 FROM project_members WHERE project_id = $1 AND user_id = $2",
                           Params().add(project_rowid).add(user_rowid));
    return !rows.empty();
  });
}

Result<std::vector<Project>> PgAccountStore::projects_of(std::int64_t user_rowid) {
  return translate_errors("list projects", [&]() -> Result<std::vector<Project>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(
        "SELECT p.id, p.uuid, p.name, p.tier, p.daily_quota, p.created_at, p.retention_days, "
        "COALESCE(p.retained_since, (SELECT e.received_at FROM events e "
        "WHERE e.project_id = p.id ORDER BY e.seq LIMIT 1)) FROM projects p "
        "JOIN project_members m ON m.project_id = p.id WHERE m.user_id = $1 ORDER BY p.id",
        Params().add(user_rowid));
    std::vector<Project> projects;
    for (int row = 0; row < rows.size(); ++row) {
      Project project{rows.int64(row, 0),         rows.string(row, 1),
                      rows.string(row, 2),        Tier{rows.string(row, 3), rows.int64(row, 4)},
                      rows.int64(row, 5),         rows.optional_int64(row, 6),
                      rows.optional_int64(row, 7)};
      projects.push_back(std::move(project));
    }
    return projects;
  });
}

Result<std::vector<User>> PgAccountStore::members_of(std::int64_t project_rowid) {
  return translate_errors("list members", [&]() -> Result<std::vector<User>> {
    auto conn = pool_->acquire();
    auto rows = conn->exec(std::string("SELECT ") + kUserColumns +
                               " FROM users u JOIN project_members m ON m.user_id = u.id "
                               "WHERE m.project_id = $1 ORDER BY u.id",
                           Params().add(project_rowid));
    std::vector<User> users;
    for (int row = 0; row < rows.size(); ++row)
      users.push_back(read_user(rows, row));
    return users;
  });
}

Status PgAccountStore::add_member(std::int64_t project_rowid, std::int64_t user_rowid) {
  return translate_errors("add member", [&]() -> Status {
    auto conn = pool_->acquire();
    auto inserted = conn->exec(
        "INSERT INTO project_members (project_id, user_id, created_at) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING",
        Params().add(project_rowid).add(user_rowid).add(now()));
    if (inserted.affected() == 0)
      return already_member();
    return {};
  });
}

Result<User> PgAccountStore::add_member_by_email(std::int64_t project_rowid,
                                                 std::string_view email) {
  return translate_errors("add member", [&]() -> Result<User> {
    auto conn = pool_->acquire();
    Transaction tx(*conn);
    auto rows =
        conn->exec(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.email = $1",
                   Params().add(email));
    if (rows.empty())
      return make_error(ErrorKind::kNotFound, "no user has this email", "email");
    User user = read_user(rows, 0);
    auto inserted = conn->exec(
        "INSERT INTO project_members (project_id, user_id, created_at) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING",
        Params().add(project_rowid).add(user.rowid).add(now()));
    if (inserted.affected() == 0)
      return already_member();
    tx.commit();
    return user;
  });
}

Status PgAccountStore::remove_member(std::int64_t project_rowid, std::string_view user_id) {
  return translate_errors("remove member", [&]() -> Status {
    auto conn = pool_->acquire();
    auto removed = conn->exec(
        "DELETE FROM project_members WHERE project_id = $1 "
        "AND user_id = (SELECT id FROM users WHERE uuid = $2)",
        Params().add(project_rowid).add(user_id));
    if (removed.affected() == 0)
      return make_error(ErrorKind::kNotFound, "no member with id " + std::string(user_id));
    return {};
  });
}

}  // namespace agentsudo::server::postgres
