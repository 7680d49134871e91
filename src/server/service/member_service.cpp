#include "server/service/member_service.hpp"

#include "core/uuid.hpp"
#include "server/auth/email_address.hpp"

namespace agentsudo::server {

MemberService::MemberService(AccountStore& accounts) : accounts_(accounts) {}

Result<std::vector<User>> MemberService::list(std::int64_t project_rowid) {
  return accounts_.members_of(project_rowid);
}

Result<User> MemberService::add(std::int64_t project_rowid, std::string_view email) {
  ASSIGN_OR_RETURN(auto normalized, normalize_email(email));
  auto user = accounts_.add_member_by_email(project_rowid, normalized);
  if (!user && user.error().kind == ErrorKind::kNotFound) {
    return make_error(ErrorKind::kInvalidPayload,
                      "no user has this email; an admin creates users first", "email");
  }
  return user;
}

Status MemberService::remove(std::int64_t project_rowid, std::string_view user_id) {
  // Not a user id at all: answered like any id that is no member.
  if (!is_canonical_uuid(user_id))
    return make_error(ErrorKind::kNotFound, "no member with id " + std::string(user_id));
  return accounts_.remove_member(project_rowid, user_id);
}

}  // namespace agentsudo::server
