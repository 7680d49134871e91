#pragma once

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// A fixed set of connections to one file, lent one caller at a time. WAL lets
// these readers run beside the single writer. Thread-safe.
class ConnectionPool {
 public:
  // Returns a connection to the pool when it goes out of scope.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Database> db) : pool_(&pool), db_(std::move(db)) {}
    ~Lease() {
      if (db_)
        pool_->give_back(std::move(db_));
    }
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    Database* operator->() { return db_.get(); }
    Database& operator*() { return *db_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Database> db_;
  };

  ConnectionPool(const std::filesystem::path& file, std::size_t size);

  // Blocks until a connection is free.
  Lease acquire();

 private:
  void give_back(std::unique_ptr<Database> db);

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Database>> idle_;  // guarded by mutex_
};

}  // namespace agentsudo::server::sqlite
