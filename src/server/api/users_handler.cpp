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
  auto body = parse_json_body(request);
  if (!body)
    return body.take_error();
  auto members = JsonMembers::of(*body, {"email", "password", "is_admin"});
  if (!members)
    return members.take_error();
  auto email = members->required_string("email");
  if (!email)
    return email.take_error();
  auto password = members->required_string("password");
  if (!password)
    return password.take_error();
  auto is_admin = members->optional_bool("is_admin");
  if (!is_admin)
    return is_admin.take_error();
  return NewUserBody{std::move(*email), std::move(*password), is_admin->value_or(false)};
}

}  // namespace

std::vector<ResourceRoute<UsersHandler>> UsersHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/users", kSmallBody, Access::kAdmin, &UsersHandler::list),
      route(Verb::post, "/api/v1/users", kSmallBody, Access::kAdmin, &UsersHandler::create),
      route(Verb::delete_, "/api/v1/users/{user_id}", kSmallBody, Access::kAdmin,
            &UsersHandler::remove),
  };
}

UsersHandler::UsersHandler(AccessControl& access, Accounts& accounts, AccountStore& store)
    : access_(access), accounts_(accounts), store_(store) {}

Result<Principal> UsersHandler::admin(const http::Request& request) {
  auto principal = authenticate(access_, request);
  if (!principal)
    return principal;
  if (auto allowed = access_.require_admin(*principal); !allowed)
    return allowed.error();
  return principal;
}

http::Response UsersHandler::list(const http::Request& request) {
  if (auto principal = admin(request); !principal)
    return error_response(principal.error(), request.version());
  auto users = store_.list_users();
  if (!users)
    return error_response(users.error(), request.version());
  json::array list;
  for (const auto& user : *users)
    list.push_back(user_json(user));
  return json_response(200, json::object{{"users", std::move(list)}}, request.version());
}

asio::awaitable<http::Response> UsersHandler::create(const http::Request& request) {
  if (auto principal = admin(request); !principal)
    co_return error_response(principal.error(), request.version());
  auto body = read_new_user(request);
  if (!body)
    co_return error_response(body.error(), request.version());
  auto user = co_await accounts_.create_user(std::move(body->email), std::move(body->password),
                                             body->is_admin);
  if (!user)
    co_return error_response(user.error(), request.version());
  co_return json_response(201, user_json(*user), request.version());
}

http::Response UsersHandler::remove(const http::Request& request, std::string_view user_id) {
  if (auto principal = admin(request); !principal)
    return error_response(principal.error(), request.version());
  if (!is_canonical_uuid(user_id)) {
    return error_response(
        make_error(ErrorKind::kNotFound, "no user with id " + std::string(user_id)),
        request.version());
  }
  if (auto removed = store_.delete_user(user_id); !removed)
    return error_response(removed.error(), request.version());
  return no_content(request.version());
}

}  // namespace agentsudo::server::api
