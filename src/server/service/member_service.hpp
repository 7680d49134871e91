#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "server/model/error.hpp"
#include "server/model/user.hpp"
#include "server/store/account_store.hpp"

namespace agentsudo::server {

// Who belongs to a project. Each method is one store statement, so a user
// deleted meanwhile is simply not found. Thread-safe.
class MemberService {
 public:
  explicit MemberService(AccountStore& accounts);

  Result<std::vector<User>> list(std::int64_t project_rowid);
  // Adds the existing user with this email (as typed; normalized here) and
  // returns them. kInvalidPayload naming "email" for a malformed email or one
  // nobody has, kConflict when the user already is a member.
  Result<User> add(std::int64_t project_rowid, std::string_view email);
  // kNotFound unless the user (by public id) is a member of the project.
  Status remove(std::int64_t project_rowid, std::string_view user_id);

 private:
  AccountStore& accounts_;
};

}  // namespace agentsudo::server
