#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "server/auth/login_throttle.hpp"
#include "server/auth/password_hasher.hpp"
#include "server/auth/sessions.hpp"
#include "server/auth/setup_token.hpp"
#include "server/model/error.hpp"
#include "server/store/account_store.hpp"

namespace agentsudo::server {

// A person just logged in (or set up the server): who, and their new session.
struct Login {
  User user;
  StartedSession session;
};

// The normalized email of a new account, or what is wrong with the pair
// (kInvalidPayload naming "email" or "password"). Nothing is hashed yet.
Result<std::string> validate_new_account(std::string_view email, std::string_view password);

// First-run setup, logins and user creation: the rules around passwords and
// sessions, with the slow hashing on the PasswordHasher's threads.
// Thread-safe.
class Accounts {
 public:
  Accounts(AccountStore& store, PasswordHasher& hasher, LoginThrottle& throttle, Sessions& sessions,
           SetupToken& setup);

  // True while no user exists.
  Result<bool> setup_needed();
  // Creates the first admin and logs them in. kConflict once any user
  // exists, kForbidden for a wrong token.
  boost::asio::awaitable<Result<Login>> set_up(std::string token, std::string email,
                                               std::string password);
  // kUnauthorized for a wrong pair (the same for an unknown email, after the
  // same work), kRateLimited with retry_after_seconds while throttled.
  // `source`: the client as LoginThrottle keys it (login_source).
  boost::asio::awaitable<Result<Login>> log_in(std::string email, std::string password,
                                               std::string source);
  // kConflict when the email is taken.
  boost::asio::awaitable<Result<User>> create_user(std::string email, std::string password,
                                                   bool is_admin);
  // The signed-in user's own change: `current_password` is checked as a
  // login is, so wrong ones are throttled alike (kForbidden naming
  // "current_password", kRateLimited while throttled). On success every
  // session of the user but `session_token` (the one asking) ends.
  // kInvalidPayload naming "new_password" for a password too short or long.
  boost::asio::awaitable<Status> change_password(User user, std::string current_password,
                                                 std::string new_password,
                                                 std::string client_address,
                                                 std::string session_token);
  // An admin's reset of the user with public id `user_id`: every session of
  // theirs ends. kNotFound for no such user, kInvalidPayload naming
  // "new_password" as above.
  boost::asio::awaitable<Status> reset_password(std::string user_id, std::string new_password);

 private:
  // A login before its password is checked: its place in the throttle, the
  // user if there is one, or a refusal decided already.
  struct LoginAttempt {
    std::optional<LoginThrottle::Attempt> admitted;
    std::optional<UserWithPassword> user;
    std::optional<Error> refusal;
  };

  LoginAttempt begin_login(const std::string& email, const std::string& password,
                           const std::string& source);
  Result<Login> finish_login(LoginAttempt& attempt, bool verified);
  Result<Login> start_session(Result<User> user);
  Result<User> store_new_user(Result<std::string> email, Result<std::string> hash, bool is_admin,
                              bool only_if_first);
  // The outcome of the login that checks a current password, as the change's.
  Status check_current_password(Result<Login> login);
  // Hashes `new_password` off the I/O threads, then stores it and ends the
  // user's sessions (all but `keep`) together.
  boost::asio::awaitable<Status> store_new_password(std::int64_t user_rowid,
                                                    std::string new_password,
                                                    std::optional<SecretDigest> keep);
  boost::asio::awaitable<Result<User>> add_user(std::string email, std::string password,
                                                bool is_admin, bool only_if_first);

  AccountStore& store_;
  PasswordHasher& hasher_;
  LoginThrottle& throttle_;
  Sessions& sessions_;
  SetupToken& setup_;
};

}  // namespace agentsudo::server
