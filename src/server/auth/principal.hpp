#pragma once

#include <optional>
#include <string>

#include "server/store/account_store.hpp"

namespace agentsudo::server {

// Who is asking, once authenticated.
struct Principal {
  enum class Kind {
    kOperator,  // a management token: every project, every route
    kUser,      // a person with a session: their projects only
  };
  Kind kind = Kind::kOperator;
  std::optional<User> user;  // set for kUser
  std::string csrf_token;    // the session's, for kUser

  bool is_operator() const { return kind == Kind::kOperator; }
  bool is_admin() const { return is_operator() || (user && user->is_admin); }
  // A label for logs and per-caller limits; never a secret.
  std::string label() const { return user ? "user:" + user->id : "operator"; }
};

}  // namespace agentsudo::server
