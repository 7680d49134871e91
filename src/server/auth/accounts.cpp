#include "server/auth/accounts.hpp"

#include "server/auth/email_address.hpp"
#include "server/auth/password.hpp"
#include "server/auth/secret.hpp"

namespace agentsudo::server {
namespace asio = boost::asio;

namespace {

Error wrong_credentials() {
  return make_error(ErrorKind::kUnauthorized, "wrong email or password");
}

Error wrong_current_password() {
  return make_error(ErrorKind::kForbidden, "current_password is wrong", "current_password");
}

constexpr std::string_view kNewPassword = "new_password";

}  // namespace

Result<std::string> validate_new_account(std::string_view email, std::string_view password) {
  auto normalized = normalize_email(email);
  if (!normalized)
    return normalized;
  RETURN_IF_ERROR(validate_password(password));
  return normalized;
}

Result<Login> Accounts::start_session(Result<User> user) {
  if (!user)
    return user.take_error();
  ASSIGN_OR_RETURN(auto session, sessions_.start(*user));
  return Login{std::move(*user), std::move(session)};
}

Result<User> Accounts::store_new_user(Result<std::string> email, Result<std::string> hash,
                                      bool is_admin, bool only_if_first) {
  if (!hash)
    return hash.take_error();
  return store_.create_user(NewUser{std::move(*email), std::move(*hash), is_admin, only_if_first});
}

Accounts::Accounts(AccountStore& store, PasswordHasher& hasher, LoginThrottle& throttle,
                   Sessions& sessions, SetupToken& setup)
    : store_(store), hasher_(hasher), throttle_(throttle), sessions_(sessions), setup_(setup) {}

Result<bool> Accounts::setup_needed() {
  ASSIGN_OR_RETURN(auto users, store_.count_users());
  return users == 0;
}

asio::awaitable<Result<Login>> Accounts::set_up(std::string token, std::string email,
                                                std::string password) {
  CO_ASSIGN_OR_RETURN(bool needed, setup_needed());
  if (!needed)
    co_return make_error(ErrorKind::kConflict, "setup is already done: log in instead");
  if (!setup_.matches(token)) {
    co_return make_error(ErrorKind::kForbidden,
                         "wrong setup token: use the link the server printed at start");
  }
  Result<User> user = co_await add_user(std::move(email), std::move(password), true, true);
  Result<Login> outcome = start_session(std::move(user));
  co_return outcome;
}

// Coroutine bodies here stay simple (named locals, no lambdas, the logic in
// plain functions): GCC 12 miscompiles some richer coroutine bodies.

Accounts::LoginAttempt Accounts::begin_login(const std::string& email, const std::string& password,
                                             const std::string& source) {
  LoginAttempt attempt;
  // A malformed email is just a wrong pair: the answer must not differ.
  auto normalized = normalize_email(email);
  std::string account = normalized ? *normalized : email.substr(0, kMaxEmailBytes);
  // Counted before the slow hash, so that concurrent guesses cannot outrun it.
  auto admitted = throttle_.admit(account, source);
  if (!admitted) {
    attempt.refusal = admitted.take_error();
    return attempt;
  }
  attempt.admitted = std::move(*admitted);
  if (!normalized || password.size() > kMaxPasswordBytes)
    return attempt;
  auto found = store_.find_user_by_email(account);
  if (found) {
    attempt.user = std::move(*found);
  } else if (found.error().kind != ErrorKind::kNotFound) {
    attempt.refusal = found.take_error();
  }
  return attempt;
}

Result<Login> Accounts::finish_login(LoginAttempt& attempt, bool verified) {
  // A failure was counted when the attempt was admitted.
  if (!verified || !attempt.user) {
    throttle_.failed(*attempt.admitted);
    return wrong_credentials();
  }
  throttle_.succeeded(*attempt.admitted);
  ASSIGN_OR_RETURN(auto session, sessions_.start(attempt.user->user));
  return Login{std::move(attempt.user->user), std::move(session)};
}

asio::awaitable<Result<Login>> Accounts::log_in(std::string email, std::string password,
                                                std::string source) {
  LoginAttempt attempt = begin_login(email, password, source);
  if (attempt.refusal) {
    Result<Login> refused = std::move(*attempt.refusal);
    co_return refused;
  }
  bool verified = false;
  if (attempt.user) {
    std::string hash = attempt.user->password_hash;
    verified = co_await hasher_.verify(std::move(hash), std::move(password));
  } else {
    bool ignored = co_await hasher_.verify_nothing(std::move(password));
    (void)ignored;
  }
  Result<Login> outcome = finish_login(attempt, verified);
  co_return outcome;
}

asio::awaitable<Result<User>> Accounts::create_user(std::string email, std::string password,
                                                    bool is_admin) {
  Result<User> user = co_await add_user(std::move(email), std::move(password), is_admin, false);
  co_return user;
}

// The current password is checked by a login of its own, so that a wrong one
// meets the login throttle exactly as a failed login does; the session that
// login starts ends below with the user's other sessions.
asio::awaitable<Status> Accounts::change_password(User user, std::string current_password,
                                                  std::string new_password,
                                                  std::string client_address,
                                                  std::string session_token) {
  Status acceptable = validate_password(new_password, kNewPassword);
  if (!acceptable)
    co_return acceptable;
  std::string email = user.email;
  Result<Login> login =
      co_await log_in(std::move(email), std::move(current_password), std::move(client_address));
  Status verified = check_current_password(std::move(login));
  if (!verified)
    co_return verified;
  std::optional<SecretDigest> keep = digest_secret(session_token);
  Status stored = co_await store_new_password(user.rowid, std::move(new_password), keep);
  co_return stored;
}

asio::awaitable<Status> Accounts::reset_password(std::string user_id, std::string new_password) {
  Status acceptable = validate_password(new_password, kNewPassword);
  if (!acceptable)
    co_return acceptable;
  Result<User> user = store_.find_user(user_id);
  if (!user) {
    Status missing = user.take_error();
    co_return missing;
  }
  Status stored = co_await store_new_password(user->rowid, std::move(new_password), std::nullopt);
  co_return stored;
}

Status Accounts::check_current_password(Result<Login> login) {
  if (login)
    return {};
  if (login.error().kind == ErrorKind::kUnauthorized)
    return wrong_current_password();
  return login.take_error();
}

asio::awaitable<Status> Accounts::store_new_password(std::int64_t user_rowid,
                                                     std::string new_password,
                                                     std::optional<SecretDigest> keep) {
  Result<std::string> hash = co_await hasher_.hash(std::move(new_password));
  if (!hash) {
    Status failed = hash.take_error();
    co_return failed;
  }
  Status stored = store_.set_password_hash(user_rowid, *hash, keep);
  co_return stored;
}

asio::awaitable<Result<User>> Accounts::add_user(std::string email, std::string password,
                                                 bool is_admin, bool only_if_first) {
  Result<std::string> normalized = validate_new_account(email, password);
  if (!normalized) {
    Result<User> invalid = normalized.take_error();
    co_return invalid;
  }
  Result<std::string> hash = co_await hasher_.hash(std::move(password));
  Result<User> user =
      store_new_user(std::move(normalized), std::move(hash), is_admin, only_if_first);
  co_return user;
}

}  // namespace agentsudo::server
