#include "server/cli/verify_command.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "server/audit/chain_report_json.hpp"
#include "server/audit/export_verifier.hpp"
#include "server/cli/store_location.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace agentsudo::server::cli {
namespace fs = std::filesystem;

namespace {

constexpr int kClean = 0;
constexpr int kTampered = 1;
constexpr int kCannotCheck = 2;

int fail(const std::string& message) {
  std::cerr << "agentsudo-server verify: " << message << "\n";
  return kCannotCheck;
}

std::string trimmed(std::string text) {
  auto first = text.find_first_not_of(" \t\r\n");
  auto last = text.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

// --public-key is the base64 key itself or a file that holds it; without
// it, the data directory's own key (never created here).
Result<audit::PublicKey> public_key(const VerifyOptions& options) {
  if (!options.public_key.empty()) {
    std::string text = options.public_key;
    std::error_code ec;
    if (fs::is_regular_file(text, ec)) {
      std::ifstream in(text);
      std::ostringstream content;
      content << in.rdbuf();
      text = content.str();
    }
    auto key = audit::public_key_from_text(trimmed(text));
    if (!key)
      return make_error(ErrorKind::kInvalidParameter,
                        "--public-key is neither a base64 Ed25519 public key nor a file with one");
    return *key;
  }
  fs::path file = options.data_dir / audit::SigningKey::kFileName;
  std::error_code ec;
  if (!fs::exists(file, ec))
    return make_error(ErrorKind::kNotFound,
                      "no signing key " + file.string() + "; pass --public-key");
  auto key = audit::SigningKey::load_or_create(file);
  if (!key)
    return key.error();
  return key->public_key();
}

void print_text(const audit::ChainReport& report) {
  std::cout << "project " << report.project_id << ": ";
  if (report.clean()) {
    std::cout << "clean, " << report.events_checked << " events and " << report.checkpoints_checked
              << " checkpoints verified";
  } else {
    const auto& fault = *report.fault;
    std::cout << "NOT VERIFIED: " << audit::to_string(fault.kind) << " at seq " << fault.seq;
    if (!fault.event_id.empty())
      std::cout << " (event " << fault.event_id << ")";
    std::cout << ": " << fault.detail;
  }
  if (report.events_before_chain > 0)
    std::cout << "; " << report.events_before_chain << " events predate the chain";
  if (report.positions_removed_by_retention > 0) {
    std::cout << "; positions 1 to " << report.positions_removed_by_retention
              << " were removed by retention";
  }
  std::cout << "\n";
}

int print(const std::vector<audit::ChainReport>& reports, bool as_json) {
  bool clean = true;
  boost::json::array projects;
  for (const auto& report : reports) {
    clean = clean && report.clean();
    if (as_json)
      projects.push_back(audit::chain_report_json(report));
    else
      print_text(report);
  }
  if (as_json) {
    std::cout << boost::json::serialize(
                     boost::json::object{{"clean", clean}, {"projects", std::move(projects)}})
              << "\n";
  }
  return clean ? kClean : kTampered;
}

Result<std::vector<Project>> projects_to_check(ProjectStore& store, const std::string& project_id) {
  if (project_id.empty())
    return store.list_projects();
  auto project = store.find_project(project_id);
  if (!project)
    return project.error();
  return std::vector<Project>{*project};
}

int verify_data_dir(const VerifyOptions& options, const audit::PublicKey& key) {
  std::error_code ec;
  if (options.database_url.empty() && !fs::exists(sqlite::database_file(options.data_dir), ec))
    return fail("no database in " + options.data_dir.string());
  auto store = open_store(StoreLocation{options.data_dir, options.database_url}, 1);
  if (!store)
    return fail(store.error().message);
  auto projects = projects_to_check(*store->projects, options.project_id);
  if (!projects)
    return fail(projects.error().message);
  std::vector<audit::ChainReport> reports;
  for (const auto& project : *projects) {
    auto report = store->audit->verify(project.rowid, key);
    if (!report)
      return fail(report.error().message);
    reports.push_back(std::move(*report));
  }
  return print(reports, options.json);
}

}  // namespace

int verify(const VerifyOptions& options) {
  if (!options.export_file.empty() && options.public_key.empty())
    return fail("--export needs --public-key (GET /api/v1/audit/public-key serves it)");
  auto key = public_key(options);
  if (!key)
    return fail(key.error().message);
  if (options.export_file.empty())
    return verify_data_dir(options, *key);
  auto report = audit::verify_export(options.export_file, *key);
  if (!report)
    return fail(report.error().message);
  return print({*report}, options.json);
}

}  // namespace agentsudo::server::cli
