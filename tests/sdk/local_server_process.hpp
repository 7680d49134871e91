#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace agentsudo::testing {

// A real agentsudo-server on 127.0.0.1 with a fresh data directory and one
// project, for end-to-end tests. Stopped and cleaned up on destruction.
//
// Not thread-safe; owned by one test.
class LocalServerProcess {
 public:
  // Creates a project (on the default tier, or on `tier`: "free", "pro" or
  // events per day) and a management token, then starts `serve` on an
  // ephemeral port and waits for its ready file. Throws std::runtime_error if
  // the server exits or does not become ready within 30 seconds.
  explicit LocalServerProcess(std::string binary, std::string tier = "");
  ~LocalServerProcess();
  LocalServerProcess(const LocalServerProcess&) = delete;
  LocalServerProcess& operator=(const LocalServerProcess&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  const std::string& api_key() const { return api_key_; }
  const std::string& project_id() const { return project_id_; }
  const std::string& management_token() const { return management_token_; }

  // Terminates the server (SIGTERM) and waits for it.
  void stop();

  // Kills the server (SIGKILL: no shutdown work at all) and waits for it.
  void kill_hard();

  // Starts `serve` again on the same data directory and port, after stop()
  // or kill_hard(). Throws as the constructor does.
  void restart();

 private:
  std::string run_admin_command(const std::string& arguments) const;
  void start_serving(const std::string& listen);
  void end(int signal);

  std::string binary_;
  // Holds data/, the server's ready file and its log; removed on destruction.
  std::filesystem::path root_dir_;
  std::filesystem::path data_dir_;
  std::string endpoint_;
  std::string api_key_;
  std::string project_id_;
  std::string management_token_;
  pid_t pid_ = -1;
};

// GETs `url` with `Authorization: Bearer <token>`; returns the body, throws
// std::runtime_error unless the answer is 200.
std::string http_get(const std::string& url, const std::string& bearer_token);

// What came back from http_send().
struct HttpResult {
  long status = 0;
  std::string body;
};

// Sends `method` (POST, PATCH...) to `url` with a JSON body and `Authorization:
// Bearer <token>`; throws std::runtime_error only when no answer arrived.
HttpResult http_send(const std::string& method, const std::string& url,
                     const std::string& bearer_token, const std::string& json_body);

}  // namespace agentsudo::testing
