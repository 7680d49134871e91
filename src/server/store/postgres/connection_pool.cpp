#include "server/store/postgres/connection_pool.hpp"

namespace agentsudo::server::postgres {

ConnectionLease::~ConnectionLease() {
  if (conn_)
    pool_->give_back(std::move(conn_));
}

ConnectionPool::ConnectionPool(std::string url, std::size_t size)
    : url_(std::move(url)), size_(size == 0 ? 1 : size) {}

ConnectionLease ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty() || lent_or_idle_ < size_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    if (!conn->healthy()) {
      try {
        conn->reset();
      } catch (const PgError&) {
        give_back(std::move(conn));
        throw;
      }
    }
    return ConnectionLease(*this, std::move(conn));
  }
  ++lent_or_idle_;
  lock.unlock();
  try {
    return ConnectionLease(*this, Connection::open(url_));
  } catch (const PgError&) {
    std::lock_guard relock(mutex_);
    --lent_or_idle_;
    available_.notify_one();
    throw;
  }
}

void ConnectionPool::give_back(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(conn));
  available_.notify_one();
}

}  // namespace agentsudo::server::postgres
