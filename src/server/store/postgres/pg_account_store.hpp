#pragma once

#include <memory>

#include "server/store/account_store.hpp"
#include "server/store/postgres/connection_pool.hpp"

namespace agentsudo::server::postgres {

// AccountStore on PostgreSQL, shared by every node: each call borrows a
// pooled connection; the first-user and last-admin rules hold across nodes
// by row locks. Thread-safe.
class PgAccountStore final : public AccountStore {
 public:
  explicit PgAccountStore(std::shared_ptr<ConnectionPool> pool);

  Result<std::int64_t> count_users() override;
  Result<User> create_user(const NewUser& user) override;
  Result<std::vector<User>> list_users() override;
  Result<User> find_user(std::string_view user_id) override;
  Result<UserWithPassword> find_user_by_email(std::string_view email) override;
  Status delete_user(std::string_view user_id) override;

  Status add_session(const SecretDigest& token, std::int64_t user_rowid,
                     std::string_view csrf_token, UnixMicros expires_at, UnixMicros now) override;
  Result<SessionRecord> find_session(const SecretDigest& token, UnixMicros now) override;
  Status extend_session(const SecretDigest& token, UnixMicros expires_at) override;
  Status delete_session(const SecretDigest& token) override;
  Status set_password_hash(std::int64_t user_rowid, std::string_view password_hash,
                           const std::optional<SecretDigest>& keep) override;

  Result<bool> is_member(std::int64_t project_rowid, std::int64_t user_rowid) override;
  Result<std::vector<Project>> projects_of(std::int64_t user_rowid) override;
  Result<std::vector<User>> members_of(std::int64_t project_rowid) override;
  Status add_member(std::int64_t project_rowid, std::int64_t user_rowid) override;
  Result<User> add_member_by_email(std::int64_t project_rowid, std::string_view email) override;
  Status remove_member(std::int64_t project_rowid, std::string_view user_id) override;

 private:
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace agentsudo::server::postgres
