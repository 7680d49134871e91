#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "server/store/change_feed.hpp"

namespace agentsudo::server::postgres {

// LISTENs on its own connection for what other nodes publish_change(), and
// reconnects (every half second) while the database is away.
class PgChangeFeed : public ChangeFeed {
 public:
  explicit PgChangeFeed(std::string url) : url_(std::move(url)) {}
  ~PgChangeFeed() override { stop(); }

  void start(Handler handler) override;
  void stop() override;

 private:
  void run(const Handler& handler);
  // Listens until the connection fails or stop() is called.
  void listen_once(const Handler& handler);
  void pause_before_reconnecting();

  std::string url_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace agentsudo::server::postgres
