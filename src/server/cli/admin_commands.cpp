#include "server/cli/admin_commands.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <charconv>
#include <iostream>

#include "server/auth/email_address.hpp"
#include "server/auth/password.hpp"
#include "server/cli/store_location.hpp"
#include "server/service/key_service.hpp"
#include "server/service/project_service.hpp"
#include "server/service/token_service.hpp"

namespace agentsudo::server::cli {
namespace json = boost::json;

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;

int fail(const Error& error) {
  std::cerr << "agentsudo-server: " << error.message << "\n";
  return kFailed;
}

// Opens the store for one command; the CLI needs a single reader.
Result<StoreSet> open_admin_store(const AdminOptions& options) {
  if (sodium_init() < 0)
    return make_error(ErrorKind::kInternal, "libsodium failed to start");
  return open_store(StoreLocation{options.data_dir, options.database_url}, 1);
}

void print_json(const json::value& value) {
  std::cout << json::serialize(value) << "\n";
}

json::object project_json(const Project& project) {
  return {{"project_id", project.id},
          {"name", project.name},
          {"tier", project.tier.name},
          {"daily_quota", project.tier.daily_quota},
          {"created_at", format_rfc3339(project.created_at)},
          {"retention_days",
           project.retention_days ? json::value(*project.retention_days) : json::value(nullptr)},
          {"data_since", project.data_since ? json::value(format_rfc3339(*project.data_since))
                                            : json::value(nullptr)}};
}

json::object key_json(const ApiKeyRecord& key) {
  json::object object{{"key_id", key.id},
                      {"project_id", key.project_id},
                      {"prefix", key.prefix},
                      {"created_at", format_rfc3339(key.created_at)}};
  object["revoked_at"] = key.revoked_at ? json::value(format_rfc3339(*key.revoked_at)) : nullptr;
  return object;
}

void print_issued_key(const IssuedApiKey& key, bool as_json) {
  if (as_json) {
    print_json({{"key_id", key.record.id},
                {"project_id", key.record.project_id},
                {"api_key", key.plaintext}});
    return;
  }
  std::cout << "API key " << key.record.id << " for project " << key.record.project_id << "\n"
            << "  " << key.plaintext << "\n"
            << "Shown once: store it now; only its hash is kept.\n";
}

json::object token_json(const ManagementToken& token) {
  json::object object{{"token_id", token.id},
                      {"name", token.name ? json::value(*token.name) : json::value(nullptr)},
                      {"prefix", token.prefix},
                      {"created_at", format_rfc3339(token.created_at)}};
  object["expires_at"] =
      token.expires_at ? json::value(format_rfc3339(*token.expires_at)) : nullptr;
  object["revoked_at"] =
      token.revoked_at ? json::value(format_rfc3339(*token.revoked_at)) : nullptr;
  return object;
}

// One line of `token list`: id, prefix, name, and what ends it.
std::string token_line(const ManagementToken& token, UnixMicros now) {
  std::string line = token.id + "  " + token.prefix + "...  " + token.name.value_or("-") +
                     "  created " + format_rfc3339(token.created_at);
  if (token.expires_at)
    line += (*token.expires_at <= now ? "  expired " : "  expires ") +
            format_rfc3339(*token.expires_at);
  if (token.revoked_at)
    line += "  revoked " + format_rfc3339(*token.revoked_at);
  return line;
}

// The longest --expires-in: a hundred years, far from overflowing.
constexpr std::int64_t kMaxExpiryDays = 36'500;

// --expires-in DAYS or --expires-at TIME (CLI11 refuses both at once).
Result<std::optional<UnixMicros>> token_expiry(const AdminOptions& options, UnixMicros now) {
  if (!options.expires_at.empty()) {
    auto at = parse_rfc3339(options.expires_at);
    if (!at)
      return make_error(ErrorKind::kInvalidParameter,
                        "--expires-at must be an RFC 3339 date-time such as 2027-01-31T00:00:00Z");
    return std::optional(*at);
  }
  if (options.expires_in_days.empty())
    return std::optional<UnixMicros>();
  const std::string& text = options.expires_in_days;
  std::int64_t days = 0;
  auto [end, failed] = std::from_chars(text.data(), text.data() + text.size(), days);
  if (failed != std::errc() || end != text.data() + text.size() || days < 1 ||
      days > kMaxExpiryDays)
    return make_error(
        ErrorKind::kInvalidParameter,
        "--expires-in must be a whole number of days from 1 to " + std::to_string(kMaxExpiryDays));
  return std::optional(now + days * kMicrosPerDay);
}

// The password piped in: the first line, without its line ending.
std::string read_password_line() {
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r')
    password.pop_back();
  return password;
}

Result<std::string> checked_hash(std::string_view password) {
  RETURN_IF_ERROR(validate_password(password));
  return hash_password(password);
}

// The password piped in (--password-stdin), checked and hashed; the
// plaintext is wiped from memory either way.
Result<std::string> piped_password_hash(const AdminOptions& options) {
  if (!options.password_stdin) {
    return make_error(ErrorKind::kInvalidParameter,
                      "pipe the password in with --password-stdin (never on the command line)");
  }
  std::string password = read_password_line();
  auto hash = checked_hash(password);
  sodium_memzero(password.data(), password.size());
  return hash;
}

// What `user create` and `user set-password` start from.
struct PasswordCommand {
  std::string email;  // normalized
  std::string password_hash;
  StoreSet store;
};

Result<PasswordCommand> start_password_command(const AdminOptions& options) {
  ASSIGN_OR_RETURN(auto email, normalize_email(options.email));
  ASSIGN_OR_RETURN(auto hash, piped_password_hash(options));
  ASSIGN_OR_RETURN(auto store, open_admin_store(options));
  return PasswordCommand{std::move(email), std::move(hash), std::move(store)};
}

}  // namespace

int project_create(const AdminOptions& options) {
  auto tier = parse_tier(options.tier);
  if (!tier)
    return fail(tier.error());
  auto store = open_admin_store(options);
  if (!store)
    return fail(store.error());
  auto created = ProjectService(*store->projects).create(options.name, *tier);
  if (!created)
    return fail(created.error());
  if (options.json) {
    print_json({{"project_id", created->project.id}, {"api_key", created->key.plaintext}});
    return kOk;
  }
  std::cout << "Created project \"" << created->project.name << "\" (" << created->project.id
            << ", " << tier->name << ": " << tier->daily_quota << " events/day)\n";
  print_issued_key(created->key, false);
  return kOk;
}

int project_list(const AdminOptions& options) {
  auto store = open_admin_store(options);
  if (!store)
    return fail(store.error());
  auto projects = ProjectService(*store->projects).list();
  if (!projects)
    return fail(projects.error());
  if (options.json) {
    json::array list;
    for (const auto& project : *projects)
      list.push_back(project_json(project));
    print_json(list);
    return kOk;
  }
  for (const auto& project : *projects) {
    std::cout << project.id << "  " << project.name << "  " << project.tier.name << " ("
              << project.tier.daily_quota << " events/day)\n";
  }
  return kOk;
}

int project_set_tier(const AdminOptions& options) {
  auto tier = parse_tier(options.tier);
  if (!tier)
    return fail(tier.error());
  auto store = open_admin_store(options);
  if (!store)
    return fail(store.error());
  if (auto set = ProjectService(*store->projects).update(options.project_id, {{}, *tier, {}}); !set)
    return fail(set.error());
  if (options.json) {
    print_json({{"project_id", options.project_id},
                {"tier", tier->name},
                {"daily_quota", tier->daily_quota}});
  } else {
    std::cout << "Project " << options.project_id << " is now " << tier->name << " ("
              << tier->daily_quota << " events/day)\n";
  }
  return kOk;
}

int project_set_retention(const AdminOptions& options) {
  // "none" keeps everything; anything else must be a whole number (the
  // service checks its range, as for PATCH).
  std::optional<std::int64_t> days;
  if (options.retention_days != "none") {
    std::int64_t parsed = 0;
    const char* begin = options.retention_days.data();
    const char* end = begin + options.retention_days.size();
    auto [ptr, ec] = std::from_chars(begin, end, parsed);
    if (ec != std::errc() || ptr != end || begin == end) {
      return fail(make_error(ErrorKind::kInvalidParameter,
                             "--days must be a whole number of days or none", "retention_days"));
    }
    days = parsed;
  }
  auto store = open_admin_store(options);
  if (!store)
    return fail(store.error());
  ProjectChanges changes;
  changes.retention_days = days;
  auto set = ProjectService(*store->projects).update(options.project_id, changes);
  if (!set)
    return fail(set.error());
  if (options.json) {
    print_json({{"project_id", options.project_id},
                {"retention_days", days ? json::value(*days) : json::value(nullptr)}});
  } else if (days) {
    std::cout << "Project " << options.project_id << " now keeps " << *days
              << " days of events (today included)\n";
  } else {
    std::cout << "Project " << options.project_id << " now keeps every event\n";
  }
  return kOk;
}

int key_create(const AdminOptions& options) {
  auto store = open_admin_store(options);
  if (!store)
    return fail(store.error());
  auto key = KeyService(*store->projects).create(options.project_id);
  if (!key)
    return fail(key.error());
  print_issued_key(*key, options.json);
  return kOk;
}

int key_list(const AdminOptions& options) {
  auto store = open_admin_store(options);
  if (!store)
    return fail(store.error());
  auto keys = KeyService(*store->projects).list(options.project_id);
  if (!keys)
    return fail(keys.error());
  if (options.json) {
    json::array list;
    for (const auto& key : *keys)
      list.push_back(key_json(key));
    print_json(list);
    return kOk;
  }
  for (const auto& key : *keys) {
    std::cout << key.id << "  " << key.prefix << "...  created " << format_rfc3339(key.created_at)
              << (key.revoked_at ? "  revoked " + format_rfc3339(*key.revoked_at) : "") << "\n";
  }
  return kOk;
}

int key_revoke(const AdminOptions& options) {
  auto store = open_admin_store(options);
  if (!store)
    return fail(store.error());
  // An operator on the command line may revoke any project's key.
  if (auto revoked = KeyService(*store->projects).revoke_in_any_project(options.key_id); !revoked)
    return fail(revoked.error());
  if (options.json) {
    print_json({{"key_id", options.key_id}, {"revoked", true}});
  } else {
    std::cout << "Revoked key " << options.key_id << "\n";
  }
  return kOk;
}

int key_rotate(const AdminOptions& options) {
  auto store = open_admin_store(options);
  if (!store)
    return fail(store.error());
  auto key = KeyService(*store->projects).rotate_in_any_project(options.key_id);
  if (!key)
    return fail(key.error());
  print_issued_key(*key, options.json);
  return kOk;
}

int token_create(const AdminOptions& options) {
  SystemClock clock;
  auto expires_at = token_expiry(options, clock.now());
  if (!expires_at)
    return fail(expires_at.error());
  auto store = open_admin_store(options);
  if (!store)
    return fail(store.error());
  std::optional<std::string> name;
  if (!options.name.empty())
    name = options.name;
  auto token = TokenService(*store->projects, clock).create({name, *expires_at});
  if (!token)
    return fail(token.error());
  if (options.json) {
    auto object = token_json(token->record);
    object["token"] = token->plaintext;
    print_json(object);
  } else {
    std::cout << "Management token " << token->record.id
              << " (shown once; send as Authorization: Bearer):\n  " << token->plaintext << "\n";
  }
  return kOk;
}

int token_list(const AdminOptions& options) {
  auto store = open_admin_store(options);
  if (!store)
    return fail(store.error());
  SystemClock clock;
  auto tokens = TokenService(*store->projects, clock).list();
  if (!tokens)
    return fail(tokens.error());
  if (options.json) {
    json::array list;
    for (const auto& token : *tokens)
      list.push_back(token_json(token));
    print_json(list);
    return kOk;
  }
  for (const auto& token : *tokens)
    std::cout << token_line(token, clock.now()) << "\n";
  return kOk;
}

int token_revoke(const AdminOptions& options) {
  auto store = open_admin_store(options);
  if (!store)
    return fail(store.error());
  SystemClock clock;
  auto revoked = TokenService(*store->projects, clock).revoke(options.token_id);
  if (!revoked)
    return fail(revoked.error());
  if (options.json)
    print_json(token_json(*revoked));
  else
    std::cout << "Revoked management token " << revoked->id << "\n";
  return kOk;
}

int user_create(const AdminOptions& options) {
  auto command = start_password_command(options);
  if (!command)
    return fail(command.error());
  auto user = command->store.accounts->create_user(
      NewUser{command->email, command->password_hash, options.admin, false});
  if (!user)
    return fail(user.error());
  if (options.json) {
    print_json({{"id", user->id},
                {"email", user->email},
                {"is_admin", user->is_admin},
                {"created_at", format_rfc3339(user->created_at)}});
  } else {
    std::cout << "Created " << (user->is_admin ? "admin " : "user ") << user->email << " ("
              << user->id << ")\n";
  }
  return kOk;
}

int user_set_password(const AdminOptions& options) {
  auto command = start_password_command(options);
  if (!command)
    return fail(command.error());
  auto& accounts = *command->store.accounts;
  auto user = accounts.find_user_by_email(command->email);
  if (!user)
    return fail(user.error());
  // No session is kept: whoever knew the old password is signed out.
  if (auto set = accounts.set_password_hash(user->user.rowid, command->password_hash, std::nullopt);
      !set)
    return fail(set.error());
  if (options.json) {
    print_json({{"id", user->user.id}, {"email", user->user.email}, {"sessions_ended", true}});
  } else {
    std::cout << "Changed the password of " << user->user.email
              << "; every session of theirs has ended\n";
  }
  return kOk;
}

}  // namespace agentsudo::server::cli
