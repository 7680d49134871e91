#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/auth/accounts.hpp"
#include "server/http/message.hpp"

namespace agentsudo::server::api {

// /api/v1/users: admins (and operators) list, create and delete users and
// reset their passwords.
// Thread-safe.
class UsersHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<UsersHandler>> routes();

  UsersHandler(AccessControl& access, Accounts& accounts, AccountStore& store);

  Result<http::Response> list(const http::Request& request);
  boost::asio::awaitable<Result<http::Response>> create(const http::Request& request);
  Result<http::Response> remove(const http::Request& request, std::string_view user_id);
  boost::asio::awaitable<Result<http::Response>> reset_password(const http::Request& request,
                                                                std::string_view user_id);

 private:
  // The admin asking, or the error to answer with.
  Result<Principal> admin(const http::Request& request);

  AccessControl& access_;
  Accounts& accounts_;
  AccountStore& store_;
};

}  // namespace agentsudo::server::api
