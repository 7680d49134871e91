#pragma once

#include <optional>
#include <string>

#include "server/model/user.hpp"

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
  // Who to count per-caller limits against: "user:<id>" or "token:<digest
  // prefix>" (each management token apart). Never a secret.
  std::string subject;

  bool is_operator() const { return kind == Kind::kOperator; }
  bool is_admin() const { return is_operator() || (user && user->is_admin); }
};

}  // namespace agentsudo::server
