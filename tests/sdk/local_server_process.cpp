#include "local_server_process.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace agentsudo::testing {
namespace {

// A hang guard, not a timing bound: a server that neither becomes ready nor
// exits in this long is stuck, even under ASan on a busy machine.
constexpr auto kReadyTimeout = std::chrono::seconds(30);
constexpr auto kReadyPollInterval = std::chrono::milliseconds(20);

std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "agentsudo-sdk-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
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

LocalServerProcess::LocalServerProcess(std::string binary, std::string tier)
    : binary_(std::move(binary)), root_dir_(make_temp_dir()), data_dir_(root_dir_ / "data") {
  try {
    std::filesystem::create_directory(data_dir_);
    std::string project = run_admin_command("project create --name sdk-integration --json" +
                                            (tier.empty() ? "" : " --tier " + tier));
    api_key_ = json_member(project, "api_key");
    project_id_ = json_member(project, "project_id");
    management_token_ = json_member(run_admin_command("token create --json"), "token");
    start_serving("127.0.0.1:0");
  } catch (...) {
    // No destructor runs for a constructor that throws.
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(root_dir_, ignored);
    throw;
  }
}

LocalServerProcess::~LocalServerProcess() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(root_dir_, ignored);
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

void LocalServerProcess::start_serving(const std::string& listen) {
  std::string data_dir = data_dir_.string();
  std::string ready_file = (root_dir_ / "ready.json").string();
  std::string log_file = (root_dir_ / "server.log").string();
  std::filesystem::remove(ready_file);
  // The server's output goes to a file, read only to explain a failed start,
  // so nothing has to keep draining a pipe for as long as it runs.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::array<const char*, 9> argv{
      binary_.c_str(),  "serve",        "--listen",         listen.c_str(), "--data-dir",
      data_dir.c_str(), "--ready-file", ready_file.c_str(), nullptr};
  int spawned = ::posix_spawn(&pid_, binary_.c_str(), &actions, nullptr,
                              const_cast<char* const*>(argv.data()), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + binary_);
  }

  auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  for (;;) {
    // The server writes the file atomically once it listens: if it exists,
    // it is whole.
    if (std::filesystem::exists(ready_file)) {
      boost::json::object ready = boost::json::parse(read_file(ready_file)).as_object();
      if (ready.at("pid").to_number<pid_t>() != pid_)
        throw std::runtime_error("ready file names another process: " + read_file(ready_file));
      endpoint_ = std::string(ready.at("url").as_string());
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("server exited before it was ready: " + read_file(log_file));
    }
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("server not ready after 30 s: " + read_file(log_file));
    std::this_thread::sleep_for(kReadyPollInterval);
  }
}

void LocalServerProcess::stop() {
  end(SIGTERM);
}

void LocalServerProcess::kill_hard() {
  end(SIGKILL);
}

void LocalServerProcess::end(int signal) {
  if (pid_ <= 0)
    return;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void LocalServerProcess::restart() {
  // endpoint_ is http://127.0.0.1:PORT.
  constexpr std::string_view kScheme = "http://";
  start_serving(endpoint_.substr(kScheme.size()));
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

HttpResult http_send(const std::string& method, const std::string& url,
                     const std::string& bearer_token, const std::string& json_body) {
  CURL* curl = curl_easy_init();
  HttpResult result;
  std::string authorization = "Authorization: Bearer " + bearer_token;
  curl_slist* headers = curl_slist_append(nullptr, authorization.c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json_body.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK)
    throw std::runtime_error(method + " " + url + " failed: " + curl_easy_strerror(code));
  return result;
}

}  // namespace agentsudo::testing
