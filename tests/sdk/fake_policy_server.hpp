#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "loopback_http_server.hpp"

namespace agentsudo::testing {

// GET /v1/policy as the server's contract describes it (ETag, 304 to a
// matching If-None-Match, long-poll with ?after=N&wait=S), over the loopback
// server, with a policy the test sets. Long-polls are held for at most
// `max_hold`, so that the test never waits on a full 25 s hold.
//
// Thread-safe.
class FakePolicyServer {
 public:
  explicit FakePolicyServer(std::chrono::milliseconds max_hold = std::chrono::milliseconds(2000))
      : max_hold_(max_hold),
        http_([this](const LoopbackHttpServer::Request& request) { return answer(request); }) {}
  ~FakePolicyServer() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    changed_.notify_all();
  }
  FakePolicyServer(const FakePolicyServer&) = delete;
  FakePolicyServer& operator=(const FakePolicyServer&) = delete;

  // Publishes a new policy: `agents_json` is the JSON array of agents.
  void set_policy(std::int64_t version, std::string agents_json) {
    {
      std::lock_guard lock(mutex_);
      version_ = version;
      agents_json_ = std::move(agents_json);
    }
    changed_.notify_all();
  }

  // From now on every request is answered with `status` (0: back to normal).
  void fail_with(int status) {
    std::lock_guard lock(mutex_);
    failure_status_ = status;
  }

  std::string url() const { return http_.url(); }
  const LoopbackHttpServer& http() const { return http_; }

 private:
  static std::optional<std::int64_t> query_number(const std::string& target, const char* name) {
    std::string key = std::string(name) + "=";
    std::size_t at = target.find(key);
    if (at == std::string::npos)
      return std::nullopt;
    return std::stoll(target.substr(at + key.size()));
  }

  LoopbackHttpServer::Response answer(const LoopbackHttpServer::Request& request) {
    std::unique_lock lock(mutex_);
    if (failure_status_ != 0)
      return {failure_status_, R"({"error":"scripted failure","code":"INTERNAL"})", {}};
    if (request.method != "GET" || !request.target.starts_with("/v1/policy"))
      return {404, R"({"error":"not found","code":"NOT_FOUND"})", {}};
    if (!request.headers.contains("x-api-key"))
      return {401, R"({"error":"missing key","code":"UNAUTHORIZED"})", {}};
    std::optional<std::int64_t> after = query_number(request.target, "after");
    std::optional<std::int64_t> wait = query_number(request.target, "wait");
    if (after && *after >= version_) {
      auto hold =
          std::min<std::chrono::milliseconds>(max_hold_, std::chrono::seconds(wait.value_or(0)));
      changed_.wait_for(lock, hold, [&] { return closing_ || version_ > *after; });
    }
    // A failure scripted while the request was held applies to it too.
    if (failure_status_ != 0)
      return {failure_status_, R"({"error":"scripted failure","code":"INTERNAL"})", {}};
    std::string etag = "\"" + std::to_string(version_) + "\"";
    auto inm = request.headers.find("if-none-match");
    bool unchanged =
        after ? version_ <= *after : (inm != request.headers.end() && inm->second == etag);
    if (unchanged)
      return {304, "", {{"ETag", etag}, {"Cache-Control", "no-cache"}}};
    return {200,
            R"({"version": )" + std::to_string(version_) + R"(, "agents": )" + agents_json_ + "}",
            {{"ETag", etag}, {"Cache-Control", "no-cache"}}};
  }

  const std::chrono::milliseconds max_hold_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::int64_t version_ = 0;        // Guarded by mutex_.
  std::string agents_json_ = "[]";  // Guarded by mutex_.
  int failure_status_ = 0;          // Guarded by mutex_.
  bool closing_ = false;            // Guarded by mutex_.
  // Last: destroyed first, so no request is answered from destroyed state.
  LoopbackHttpServer http_;
};

}  // namespace agentsudo::testing
