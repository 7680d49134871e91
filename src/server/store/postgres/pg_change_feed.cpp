#include "server/store/postgres/pg_change_feed.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "server/store/postgres/change_notice.hpp"
#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {
namespace {

// How often the listening thread looks at the stop flag.
constexpr int kPollMillis = 200;
constexpr auto kReconnectPause = std::chrono::milliseconds(500);

void deliver_pending(PGconn* conn, const ChangeFeed::Handler& handler) {
  while (PGnotify* notice = PQnotifies(conn)) {
    if (auto change = decode_change(notice->extra))
      handler(*change);
    PQfreemem(notice);
  }
}

}  // namespace

void PgChangeFeed::start(Handler handler) {
  stopping_ = false;
  thread_ = std::thread([this, handler = std::move(handler)] { run(handler); });
}

void PgChangeFeed::stop() {
  stopping_ = true;
  if (thread_.joinable())
    thread_.join();
}

void PgChangeFeed::run(const Handler& handler) {
  bool first = true;
  while (!stopping_) {
    try {
      if (!first)
        handler(StoreChange{StoreChange::Kind::kEvents, 0, {}});
      listen_once(handler);
    } catch (const PgError& e) {
      spdlog::warn("change feed: {}; reconnecting", e.what());
    }
    first = false;
    pause_before_reconnecting();
  }
}

void PgChangeFeed::listen_once(const Handler& handler) {
  auto conn = Connection::open(url_);
  conn->exec_script(std::string("LISTEN ") + kChangeChannel);
  PGconn* raw = conn->handle();
  while (!stopping_) {
    pollfd descriptor{PQsocket(raw), POLLIN, 0};
    if (poll(&descriptor, 1, kPollMillis) < 0)
      continue;
    if (PQconsumeInput(raw) == 0 || PQstatus(raw) != CONNECTION_OK)
      throw PgError("", PQerrorMessage(raw));
    deliver_pending(raw, handler);
  }
}

void PgChangeFeed::pause_before_reconnecting() {
  auto until = std::chrono::steady_clock::now() + kReconnectPause;
  while (!stopping_ && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace agentsudo::server::postgres
