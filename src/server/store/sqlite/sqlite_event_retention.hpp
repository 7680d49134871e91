#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>

#include "server/store/event_retention.hpp"
#include "server/store/sqlite/database.hpp"

namespace agentsudo::server::sqlite {

// Retention on the embedded store: events go in batches of `batch_rows`, each
// its own short write transaction, with a pause between batches so the group
// commit writer (BEGIN IMMEDIATE, waiting on the busy timeout) gets the lock
// in between and ingestion never waits more than one batch.
class SqliteEventRetention final : public EventRetention {
 public:
  explicit SqliteEventRetention(std::unique_ptr<Database> db, std::size_t batch_rows = 2000,
                                std::chrono::milliseconds pause = std::chrono::milliseconds(5));

  Result<RetentionPass> sweep(UnixMicros now) override;

 private:
  std::mutex mutex_;  // one sweep at a time on this connection
  std::unique_ptr<Database> db_;
  std::size_t batch_rows_;
  std::chrono::milliseconds pause_;
};

}  // namespace agentsudo::server::sqlite
