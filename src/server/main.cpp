// agentsudo-server: the server (`serve`, the default) and its administration
// subcommands, in one binary.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "server/cli/admin_commands.hpp"
#include "server/cli/backup_command.hpp"
#include "server/cli/migrate_command.hpp"
#include "server/cli/retention_command.hpp"
#include "server/cli/routes_command.hpp"
#include "server/cli/seed_demo_command.hpp"
#include "server/cli/serve_command.hpp"
#include "server/cli/verify_command.hpp"

namespace cli = agentsudo::server::cli;

namespace {

// Every command that opens the store takes the same two options.
void add_store_options(CLI::App& command, std::filesystem::path& data_dir,
                       std::string& database_url) {
  command.add_option("--data-dir", data_dir, "Data directory (the SQLite store, the audit key)")
      ->envname("AGENTSUDO_DATA_DIR")
      ->capture_default_str();
  command
      .add_option("--database-url", database_url,
                  "PostgreSQL URL (postgres://...): the shared store for several nodes; "
                  "default: SQLite in --data-dir")
      ->envname("AGENTSUDO_DATABASE_URL");
}

void add_data_dir(CLI::App& command, cli::AdminOptions& options) {
  add_store_options(command, options.data_dir, options.database_url);
  command.add_flag("--json", options.json, "Print exactly one JSON document");
}

void add_admin_commands(CLI::App& app, cli::AdminOptions& options, int& exit_code) {
  auto* project = app.add_subcommand("project", "Create and list projects")->require_subcommand(1);
  auto* create = project->add_subcommand("create", "Create a project and print its first API key");
  add_data_dir(*create, options);
  create->add_option("--name", options.name, "Project name")->required();
  create->add_option("--tier", options.tier, "free, pro, or events per day")->capture_default_str();
  create->callback([&] { exit_code = cli::project_create(options); });

  auto* list = project->add_subcommand("list", "List projects");
  add_data_dir(*list, options);
  list->callback([&] { exit_code = cli::project_list(options); });

  auto* set_tier = project->add_subcommand("set-tier", "Change a project's daily quota");
  add_data_dir(*set_tier, options);
  set_tier->add_option("--project", options.project_id, "Project id")->required();
  set_tier->add_option("--tier", options.tier, "free, pro, or events per day")->required();
  set_tier->callback([&] { exit_code = cli::project_set_tier(options); });
  auto* set_retention =
      project->add_subcommand("set-retention", "Change how many days of events a project keeps");
  add_data_dir(*set_retention, options);
  set_retention->add_option("--project", options.project_id, "Project id")->required();
  set_retention
      ->add_option("--days", options.retention_days,
                   "Whole UTC days kept, today included (1 to 36500), or none to keep everything")
      ->required();
  set_retention->callback([&] { exit_code = cli::project_set_retention(options); });

  auto* key = app.add_subcommand("key", "Manage API keys")->require_subcommand(1);
  auto* key_create = key->add_subcommand("create", "Issue a new API key for a project");
  add_data_dir(*key_create, options);
  key_create->add_option("--project", options.project_id, "Project id")->required();
  key_create->callback([&] { exit_code = cli::key_create(options); });

  auto* key_list = key->add_subcommand("list", "List a project's keys (prefixes only)");
  add_data_dir(*key_list, options);
  key_list->add_option("--project", options.project_id, "Project id")->required();
  key_list->callback([&] { exit_code = cli::key_list(options); });

  auto* revoke = key->add_subcommand("revoke", "Revoke a key at once");
  add_data_dir(*revoke, options);
  revoke->add_option("--key", options.key_id, "Key id (from key list)")->required();
  revoke->callback([&] { exit_code = cli::key_revoke(options); });

  auto* rotate = key->add_subcommand("rotate", "Replace a key with a new one");
  add_data_dir(*rotate, options);
  rotate->add_option("--key", options.key_id, "Key id (from key list)")->required();
  rotate->callback([&] { exit_code = cli::key_rotate(options); });

  auto* token =
      app.add_subcommand("token", "Manage tokens for the read API")->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "Issue a management token");
  add_data_dir(*token_create, options);
  token_create->add_option("--name", options.name, "A label to tell the token apart");
  auto* expires_in = token_create
                         ->add_option("--expires-in", options.expires_in_days,
                                      "Refuse the token after this many days")
                         ->type_name("DAYS");
  token_create
      ->add_option("--expires-at", options.expires_at,
                   "Refuse the token from this RFC 3339 time on")
      ->type_name("TIME")
      ->excludes(expires_in);
  token_create->callback([&] { exit_code = cli::token_create(options); });

  auto* token_list = token->add_subcommand("list", "List management tokens (never the secret)");
  add_data_dir(*token_list, options);
  token_list->callback([&] { exit_code = cli::token_list(options); });

  auto* token_revoke = token->add_subcommand("revoke", "Revoke a management token at once");
  add_data_dir(*token_revoke, options);
  token_revoke->add_option("token_id", options.token_id, "Token id (from token list)")->required();
  token_revoke->callback([&] { exit_code = cli::token_revoke(options); });

  auto* user = app.add_subcommand("user", "Manage dashboard users")->require_subcommand(1);
  auto* user_create = user->add_subcommand("create", "Create a user (the first is an admin)");
  add_data_dir(*user_create, options);
  user_create->add_option("--email", options.email, "Email to log in with")->required();
  user_create
      ->add_flag("--password-stdin", options.password_stdin,
                 "Read the password from standard input")
      ->required();
  user_create->add_flag("--admin", options.admin, "May manage users");
  user_create->callback([&] { exit_code = cli::user_create(options); });

  auto* set_password =
      user->add_subcommand("set-password", "Set a user's password and end every session of theirs");
  add_data_dir(*set_password, options);
  set_password->add_option("--email", options.email, "The user's email")->required();
  set_password
      ->add_flag("--password-stdin", options.password_stdin,
                 "Read the new password from standard input")
      ->required();
  set_password->callback([&] { exit_code = cli::user_set_password(options); });
}

// `serve` is the default: a command line that starts with an option (or is
// empty) is a serve command line.
std::vector<std::string> with_default_command(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool wants_help = !args.empty() && (args[0] == "--help" || args[0] == "-h");
  if (!wants_help && (args.empty() || args[0].starts_with("-")))
    args.insert(args.begin(), "serve");
  std::reverse(args.begin(), args.end());  // CLI11 takes them in reverse order
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("agentsudo"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ %v", spdlog::pattern_time_type::utc);

  CLI::App app{"AgentSudo server: permission events for AI agents", "agentsudo-server"};
  app.require_subcommand(1);
  int exit_code = 0;

  cli::ServeOptions serve_options;
  auto* serve = app.add_subcommand("serve", "Run the server (the default)");
  serve->add_option("--listen", serve_options.listen, "HOST:PORT to listen on (port 0: any free)")
      ->envname("AGENTSUDO_LISTEN")
      ->capture_default_str();
  add_store_options(*serve, serve_options.data_dir, serve_options.database_url);
  serve->add_option("--threads", serve_options.io_threads, "I/O threads (0: one per core)");
  serve
      ->add_option("--web-dir", serve_options.web_dir,
                   "The built dashboard (default: <exe dir>/../web)")
      ->envname("AGENTSUDO_WEB_DIR");
  serve
      ->add_flag("--secure-cookies", serve_options.secure_cookies,
                 "Mark the session cookie Secure (when clients reach the server over HTTPS)")
      ->envname("AGENTSUDO_SECURE_COOKIES");
  serve->add_option(
      "--ready-file", serve_options.ready_file,
      "Once listening, write {url, pid, setup_url?, default_api_key?, metrics_url?} here as JSON");
  serve
      ->add_option("--public-url", serve_options.public_url,
                   "How people reach the server, for links in webhook notifications "
                   "(default: http://<listen address>)")
      ->envname("AGENTSUDO_PUBLIC_URL");
  serve
      ->add_option("--trusted-proxy", serve_options.trusted_proxies,
                   "Address range (CIDR, repeatable) of a reverse proxy whose X-Forwarded-For "
                   "names the client")
      ->envname("AGENTSUDO_TRUSTED_PROXIES")
      ->delimiter(',');
  serve
      ->add_option("--max-connections", serve_options.max_connections,
                   "Connections served at once; more are closed at once "
                   "(default: what the descriptor limit leaves)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  serve
      ->add_option("--request-timeout", serve_options.request_timeout_seconds,
                   "Seconds a request has, from its first byte, to arrive whole (else 408)")
      ->check(CLI::Range(1u, 86'400u))
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout", serve_options.idle_timeout_seconds,
                   "Seconds a connection waits for its next request before it is closed")
      ->check(CLI::Range(1u, 86'400u))
      ->capture_default_str();
  serve
      ->add_option("--metrics-listen", serve_options.metrics_listen,
                   "HOST:PORT of a separate listener for /metrics and /healthz (the public "
                   "listener then answers /metrics 404)")
      ->envname("AGENTSUDO_METRICS_LISTEN");
  serve
      ->add_option("--checkpoint-interval", serve_options.checkpoint_interval_seconds,
                   "Seconds between signed audit checkpoints of a project whose events grew")
      ->envname("AGENTSUDO_CHECKPOINT_INTERVAL")
      ->check(CLI::Range(1u, 86'400u))
      ->capture_default_str();
  serve
      ->add_option("--retention-interval", serve_options.retention_interval_seconds,
                   "Seconds between retention passes (the first runs at start)")
      ->envname("AGENTSUDO_RETENTION_INTERVAL")
      ->check(CLI::Range(1u, 86'400u))
      ->capture_default_str();
  serve->callback([&] { exit_code = cli::run_serve(serve_options); });

  cli::AdminOptions admin_options;
  add_admin_commands(app, admin_options, exit_code);

  cli::SeedDemoOptions seed_options;
  auto* seed = app.add_subcommand("seed-demo",
                                  "Fill a project with synthetic events (demos, "
                                  "benchmarks)");
  add_store_options(*seed, seed_options.data_dir, seed_options.database_url);
  seed->add_option("--events", seed_options.events, "Events to add")->capture_default_str();
  seed->add_option("--project", seed_options.project, "Project name (created if missing)")
      ->capture_default_str();
  seed->add_option("--days", seed_options.days, "Days the events spread over, ending now")
      ->capture_default_str();
  seed->add_flag("--json", seed_options.json, "Print exactly one JSON document");
  seed->callback([&] { exit_code = cli::seed_demo(seed_options); });

  cli::RetentionRunOptions retention_options;
  auto* retention =
      app.add_subcommand("retention", "Remove events older than each project's retention")
          ->require_subcommand(1);
  auto* retention_run = retention->add_subcommand(
      "run", "Run one retention pass now (also while a server runs) and print what it removed");
  add_store_options(*retention_run, retention_options.data_dir, retention_options.database_url);
  retention_run->add_flag("--json", retention_options.json, "Print exactly one JSON document");
  retention_run->callback([&] { exit_code = cli::run_retention(retention_options); });

  cli::BackupCommandOptions backup_options;
  auto* backup = app.add_subcommand(
      "backup", "Copy the database into one file, also while a server runs on it");
  add_store_options(*backup, backup_options.data_dir, backup_options.database_url);
  backup->add_option("--to", backup_options.to, "The backup file to write")->required();
  backup->add_flag("--force", backup_options.force, "Replace FILE if it exists");
  backup->add_flag("--json", backup_options.json, "Print exactly one JSON document");
  backup->callback([&] { exit_code = cli::back_up(backup_options); });

  cli::VerifyOptions verify_options;
  auto* verify = app.add_subcommand(
      "verify", "Check the audit chain and signed checkpoints; name the first event that fails");
  add_store_options(*verify, verify_options.data_dir, verify_options.database_url);
  verify->add_option("--project", verify_options.project_id, "Only this project (its id)");
  verify->add_option("--export", verify_options.export_file,
                     "Check this NDJSON export offline instead of the data directory");
  verify->add_option("--public-key", verify_options.public_key,
                     "The server's public key (base64, or a file with it)");
  verify->add_flag("--json", verify_options.json, "Print exactly one JSON document");
  verify->callback([&] { exit_code = cli::verify(verify_options); });

  cli::MigrateOptions migrate_options;
  auto* migrate = app.add_subcommand(
      "migrate", "Copy a SQLite data directory's store into an empty PostgreSQL database");
  migrate
      ->add_option("--from-data-dir", migrate_options.from_data_dir,
                   "The data directory to copy from (read only)")
      ->required();
  migrate->add_option("--to", migrate_options.to, "PostgreSQL URL (postgres://...) to copy into")
      ->required();
  migrate->add_flag("--json", migrate_options.json, "Print exactly one JSON document");
  // Tests only: simulates an interruption, so the rerun path is tested.
  migrate->add_option("--stop-after-rows", migrate_options.stop_after_rows)->group("");
  migrate->callback([&] { exit_code = cli::migrate(migrate_options); });

  bool routes_json = false;
  auto* routes = app.add_subcommand("routes", "List every route: method, path, access, body limit");
  routes->add_flag("--json", routes_json, "Print exactly one JSON document");
  routes->callback([&] { exit_code = cli::print_routes(routes_json); });

  auto args = with_default_command(argc, argv);
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
