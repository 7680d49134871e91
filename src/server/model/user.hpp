#pragma once

#include <cstdint>
#include <string>

#include "core/timestamp.hpp"

namespace agentsudo::server {

struct User {
  std::int64_t rowid = 0;  // internal key; never leaves the server
  std::string id;          // public uuid
  std::string email;       // normalized (see normalize_email)
  bool is_admin = false;
  UnixMicros created_at = 0;
};

// A user with what a login checks.
struct UserWithPassword {
  User user;
  std::string password_hash;  // crypto_pwhash_str format
};

struct NewUser {
  std::string email;
  std::string password_hash;
  bool is_admin = false;
  // Refuse with kConflict unless this is the very first user (first-run setup).
  bool only_if_first = false;
};

// A live session as the store keeps it: no token, only its digest was stored.
struct SessionRecord {
  User user;
  std::string csrf_token;
  UnixMicros expires_at = 0;
};

}  // namespace agentsudo::server
