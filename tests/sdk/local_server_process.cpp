#include "local_server_process.hpp"

#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

extern char** environ;

namespace agentsudo::testing {
namespace {

constexpr std::string_view kListeningPrefix = "agentsudo-server listening on ";

std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "agentsudo-sdk-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::string json_member(const std::string& json_text, const char* name) {
  boost::json::value value = boost::json::parse(json_text);
  return std::string(value.as_object().at(name).as_string());
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

LocalServerProcess::LocalServerProcess(std::string binary)
    : binary_(std::move(binary)), data_dir_(make_temp_dir()) {
  std::string project = run_admin_command("project create --name sdk-integration --json");
  api_key_ = json_member(project, "api_key");
  project_id_ = json_member(project, "project_id");
  management_token_ = json_member(run_admin_command("token create --json"), "token");
  start_serving();
}

LocalServerProcess::~LocalServerProcess() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

std::string LocalServerProcess::run_admin_command(const std::string& arguments) const {
  std::string command = binary_ + " " + arguments + " --data-dir " + data_dir_.string();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    throw std::runtime_error("cannot run " + command);
  std::string output;
  std::array<char, 512> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  if (::pclose(pipe) != 0)
    throw std::runtime_error(command + " failed: " + output);
  return output;
}

void LocalServerProcess::start_serving() {
  int out[2];
  if (::pipe(out) != 0)
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string data_dir = data_dir_.string();
  std::array<const char*, 7> argv{binary_.c_str(), "serve",          "--listen", "127.0.0.1:0",
                                  "--data-dir",    data_dir.c_str(), nullptr};
  int spawned = ::posix_spawn(&pid_, binary_.c_str(), &actions, nullptr,
                              const_cast<char* const*>(argv.data()), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (spawned != 0) {
    ::close(out[0]);
    pid_ = -1;
    throw std::runtime_error("cannot start " + binary_);
  }
  // Read stdout until the listening line, for at most ten seconds.
  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd poll_fd{out[0], POLLIN, 0};
    if (::poll(&poll_fd, 1, 100) <= 0)
      continue;
    char chunk[256];
    ssize_t n = ::read(out[0], chunk, sizeof chunk);
    if (n <= 0)
      break;
    seen.append(chunk, static_cast<std::size_t>(n));
    std::size_t at = seen.find(kListeningPrefix);
    std::size_t line_end = at == std::string::npos ? at : seen.find('\n', at);
    if (line_end != std::string::npos) {
      // "agentsudo-server listening on http://127.0.0.1:PORT (data in DIR)"
      std::size_t url_start = at + kListeningPrefix.size();
      std::size_t url_end = seen.find_first_of(" \n", url_start);
      endpoint_ = seen.substr(url_start, url_end - url_start);
      break;
    }
  }
  // Keep reading whatever else the server prints: a closed pipe would kill it
  // with SIGPIPE, a full one would block it.
  int read_end = out[0];
  stdout_drain_ = std::thread([read_end] {
    char chunk[4096];
    while (::read(read_end, chunk, sizeof chunk) > 0) {
    }
    ::close(read_end);
  });
  if (endpoint_.empty()) {
    stop();
    throw std::runtime_error("server did not print its address; saw: " + seen);
  }
}

void LocalServerProcess::stop() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (stdout_drain_.joinable())
    stdout_drain_.join();
}

std::string http_get(const std::string& url, const std::string& bearer_token) {
  CURL* curl = curl_easy_init();
  std::string body;
  std::string authorization = "Authorization: Bearer " + bearer_token;
  curl_slist* headers = curl_slist_append(nullptr, authorization.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK || status != 200) {
    throw std::runtime_error("GET " + url + " -> " + std::to_string(status) + " " + body);
  }
  return body;
}

}  // namespace agentsudo::testing
