#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace agentsudo::testing {

// A minimal HTTP/1.1 peer on 127.0.0.1 for telemetry tests: it records every
// request and answers each from a test-supplied function. Connections are
// kept alive, so a test can see whether the client reuses them. gzip bodies
// are inflated for the responder. Not a general server: one request at a
// time per connection, Content-Length bodies only.
//
// Thread-safe: the accessors may be called while requests arrive.
class LoopbackHttpServer {
 public:
  struct Request {
    std::string method;
    std::string target;
    // Header names in lower case.
    std::map<std::string, std::string> headers;
    // The body as sent, and decoded when it came with Content-Encoding: gzip.
    std::string wire_body;
    std::string body;
    // Which accepted connection carried it (0, 1, ...).
    int connection = 0;
  };

  struct Response {
    int status = 200;
    std::string body = "{}";
    std::vector<std::pair<std::string, std::string>> headers;
    // Close the connection instead of answering: the request arrived, its
    // answer is lost.
    bool hang_up = false;
  };

  using Responder = std::function<Response(const Request&)>;

  // Answers 200 {"stored": N}, N the length of the JSON array received.
  static Response store_all(const Request& request);

  explicit LoopbackHttpServer(Responder responder = store_all);
  ~LoopbackHttpServer();
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  // http://127.0.0.1:PORT
  std::string url() const;
  std::vector<Request> requests() const;
  int connections_accepted() const { return connections_.load(); }
  // Waits until at least `count` requests arrived; false on timeout.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  void accept_loop();
  void serve_connection(int fd, int connection);

  Responder responder_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  mutable std::condition_variable request_arrived_;
  std::vector<Request> requests_;                // Guarded by mutex_.
  std::vector<std::thread> connection_threads_;  // Only touched by the accept thread and ~.
  std::thread accept_thread_;
};

// A 127.0.0.1 port with nothing listening: connections to it are refused.
int unused_loopback_port();

}  // namespace agentsudo::testing
