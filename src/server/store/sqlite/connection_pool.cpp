#include "server/store/sqlite/connection_pool.hpp"

namespace agentsudo::server::sqlite {

ConnectionPool::ConnectionPool(const std::filesystem::path& file, std::size_t size) {
  idle_.reserve(size);
  for (std::size_t i = 0; i < size; ++i)
    idle_.push_back(Database::open(file));
}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty(); });
  auto db = std::move(idle_.back());
  idle_.pop_back();
  return Lease(*this, std::move(db));
}

void ConnectionPool::give_back(std::unique_ptr<Database> db) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(db));
  }
  available_.notify_one();
}

}  // namespace agentsudo::server::sqlite
