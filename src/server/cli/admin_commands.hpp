#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace agentsudo::server::cli {

// Options shared by the administration subcommands. They open the data
// directory directly, so they work with or without a server running on it.
struct AdminOptions {
  std::filesystem::path data_dir = "./data";
  // A PostgreSQL URL; empty: SQLite in data_dir (see StoreLocation).
  std::string database_url;
  bool json = false;
  std::string name;
  std::string tier = "free";
  std::string project_id;
  std::string key_id;
  std::string email;
  bool password_stdin = false;
  bool admin = false;
  std::string token_id;
  // A token's expiry: whole days from now, or an RFC 3339 date-time; empty: none.
  std::string expires_in_days;
  std::string expires_at;
  // project set-retention: whole days, or "none" to keep everything.
  std::string retention_days;
};

// Each returns the process exit code and prints its result on stdout
// (exactly one JSON document with --json), errors on stderr.
int project_create(const AdminOptions& options);
int project_list(const AdminOptions& options);
int project_set_tier(const AdminOptions& options);
int project_set_retention(const AdminOptions& options);
int key_create(const AdminOptions& options);
int key_list(const AdminOptions& options);
int key_revoke(const AdminOptions& options);
int key_rotate(const AdminOptions& options);
// --name (optional) labels the token; --expires-in or --expires-at ends it.
int token_create(const AdminOptions& options);
int token_list(const AdminOptions& options);
// Fails for an unknown or already revoked token.
int token_revoke(const AdminOptions& options);
// Reads the password from stdin (one line); the first user is always an admin.
int user_create(const AdminOptions& options);
// Reads the new password from stdin (one line) and ends every session of the user.
int user_set_password(const AdminOptions& options);

}  // namespace agentsudo::server::cli
