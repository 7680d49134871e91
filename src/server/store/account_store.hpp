#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/timestamp.hpp"
#include "server/model/error.hpp"
#include "server/model/project.hpp"
#include "server/model/secret.hpp"
#include "server/model/user.hpp"

namespace agentsudo::server {

// People: users, their sessions, and which projects each belongs to.
// Implementations are thread-safe; every change is visible to the next call,
// including from another process on the same store.
class AccountStore {
 public:
  virtual ~AccountStore() = default;

  virtual Result<std::int64_t> count_users() = 0;
  // kConflict when the email is taken. The first user ever is made an admin
  // and a member of every existing project (until then only operators could
  // see them), in the same transaction.
  virtual Result<User> create_user(const NewUser& user) = 0;
  virtual Result<std::vector<User>> list_users() = 0;
  // kNotFound when there is no such user.
  virtual Result<User> find_user(std::string_view user_id) = 0;
  virtual Result<UserWithPassword> find_user_by_email(std::string_view email) = 0;
  // Deletes the user, their sessions and memberships. kNotFound for an
  // unknown user, kConflict for the last admin.
  virtual Status delete_user(std::string_view user_id) = 0;

  virtual Status add_session(const SecretDigest& token, std::int64_t user_rowid,
                             std::string_view csrf_token, UnixMicros expires_at,
                             UnixMicros now) = 0;
  // kUnauthorized unless the digest belongs to a session alive at `now`.
  virtual Result<SessionRecord> find_session(const SecretDigest& token, UnixMicros now) = 0;
  virtual Status extend_session(const SecretDigest& token, UnixMicros expires_at) = 0;
  virtual Status delete_session(const SecretDigest& token) = 0;
  // Replaces the user's password hash and ends every session of theirs but
  // `keep` (when given), in one transaction. kNotFound for an unknown user.
  virtual Status set_password_hash(std::int64_t user_rowid, std::string_view password_hash,
                                   const std::optional<SecretDigest>& keep) = 0;

  virtual Result<bool> is_member(std::int64_t project_rowid, std::int64_t user_rowid) = 0;
  virtual Result<std::vector<Project>> projects_of(std::int64_t user_rowid) = 0;
  virtual Result<std::vector<User>> members_of(std::int64_t project_rowid) = 0;
  // kConflict when the user already is a member.
  virtual Status add_member(std::int64_t project_rowid, std::int64_t user_rowid) = 0;
  // Adds the user with this (normalized) email and returns them, in one
  // statement. kNotFound when no user has the email, kConflict when the user
  // already is a member.
  virtual Result<User> add_member_by_email(std::int64_t project_rowid, std::string_view email) = 0;
  // Removes the user (by public id) from the project, in one statement.
  // kNotFound when no such user is a member.
  virtual Status remove_member(std::int64_t project_rowid, std::string_view user_id) = 0;
};

}  // namespace agentsudo::server
