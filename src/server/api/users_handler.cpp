#include "server/api/users_handler.hpp"

#include "core/uuid.hpp"
#include "server/api/json_members.hpp"
#include "server/api/request_body.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/resource_json.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct NewUserBody {
  std::string email;
  std::string password;
  bool is_admin = false;
};

Result<NewUserBody> read_new_user(const http::Request& request) {
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"email", "password", "is_admin"}));
  ASSIGN_OR_RETURN(auto email, members.required_string("email"));
  ASSIGN_OR_RETURN(auto password, members.required_string("password"));
  ASSIGN_OR_RETURN(auto is_admin, members.optional_bool("is_admin"));
  return NewUserBody{std::move(email), std::move(password), is_admin.value_or(false)};
}

Result<std::string> read_new_password(const http::Request& request) {
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"new_password"}));
  return members.required_string("new_password");
}

Error user_not_found(std::string_view user_id) {
  return make_error(ErrorKind::kNotFound, "no user with id " + std::string(user_id));
}

}  // namespace

std::vector<ResourceRoute<UsersHandler>> UsersHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/users", kSmallBody, Access::kAdmin, &UsersHandler::list),
      route(Verb::post, "/api/v1/users", kSmallBody, Access::kAdmin, &UsersHandler::create),
      route(Verb::delete_, "/api/v1/users/{user_id}", kSmallBody, Access::kAdmin,
            &UsersHandler::remove),
      route(Verb::post, "/api/v1/users/{user_id}/password", kSmallBody, Access::kAdmin,
            &UsersHandler::reset_password),
  };
}

UsersHandler::UsersHandler(AccessControl& access, Accounts& accounts, AccountStore& store)
    : access_(access), accounts_(accounts), store_(store) {}

Result<Principal> UsersHandler::admin(const http::Request& request) {
  ASSIGN_OR_RETURN(auto principal, authenticate(access_, request));
  RETURN_IF_ERROR(access_.require_admin(principal));
  return principal;
}

Result<http::Response> UsersHandler::list(const http::Request& request) {
  RETURN_IF_ERROR(admin(request));
  ASSIGN_OR_RETURN(auto users, store_.list_users());
  json::array list;
  for (const auto& user : users)
    list.push_back(user_json(user));
  return json_response(200, json::object{{"users", std::move(list)}}, request.version());
}

asio::awaitable<Result<http::Response>> UsersHandler::create(const http::Request& request) {
  CO_RETURN_IF_ERROR(admin(request));
  CO_ASSIGN_OR_RETURN(auto body, read_new_user(request));
  CO_ASSIGN_OR_RETURN(
      auto user, co_await accounts_.create_user(std::move(body.email), std::move(body.password),
                                                body.is_admin));
  co_return json_response(201, user_json(user), request.version());
}

Result<http::Response> UsersHandler::remove(const http::Request& request,
                                            std::string_view user_id) {
  RETURN_IF_ERROR(admin(request));
  if (!is_canonical_uuid(user_id))
    return user_not_found(user_id);
  RETURN_IF_ERROR(store_.delete_user(user_id));
  return no_content(request.version());
}

// Every session of the user ends, the admin's own too when they reset theirs.
asio::awaitable<Result<http::Response>> UsersHandler::reset_password(const http::Request& request,
                                                                     std::string_view user_id) {
  CO_RETURN_IF_ERROR(admin(request));
  if (!is_canonical_uuid(user_id))
    co_return user_not_found(user_id);
  CO_ASSIGN_OR_RETURN(auto new_password, read_new_password(request));
  std::string id(user_id);
  Status reset = co_await accounts_.reset_password(std::move(id), std::move(new_password));
  if (!reset)
    co_return reset.error();
  co_return no_content(request.version());
}

}  // namespace agentsudo::server::api
