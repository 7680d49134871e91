#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/store/postgres/connection.hpp"

namespace agentsudo::server::postgres {

class ConnectionPool;

// A connection borrowed from the pool; returned when the lease ends.
class ConnectionLease {
 public:
  ConnectionLease(ConnectionPool& pool, std::unique_ptr<Connection> conn)
      : pool_(&pool), conn_(std::move(conn)) {}
  ~ConnectionLease();
  ConnectionLease(ConnectionLease&& other) noexcept = default;
  ConnectionLease& operator=(ConnectionLease&&) = delete;
  ConnectionLease(const ConnectionLease&) = delete;
  Connection* operator->() { return conn_.get(); }
  Connection& operator*() { return *conn_; }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<Connection> conn_;
};

// At most `size` connections to one database, opened on first use and
// reopened when the database went away, so a node reconnects by itself.
// Thread-safe; acquire() waits while every connection is lent.
class ConnectionPool {
 public:
  ConnectionPool(std::string url, std::size_t size);

  // Throws PgError (unavailable) when no connection can be made.
  ConnectionLease acquire();
  const std::string& url() const { return url_; }

 private:
  friend class ConnectionLease;
  void give_back(std::unique_ptr<Connection> conn);

  std::string url_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  std::size_t lent_or_idle_ = 0;                   // guarded by mutex_
  std::size_t size_;
};

}  // namespace agentsudo::server::postgres
