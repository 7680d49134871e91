#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace agentsudo::server {

// A change that another server node committed to the shared store, which
// this node's waiting streams must hear about.
struct StoreChange {
  enum class Kind { kEvents, kPolicy, kApproval };
  Kind kind = Kind::kEvents;
  std::int64_t project_rowid = 0;
  std::string approval_id;  // for kApproval: the request's public id
};

// Tells this node what other nodes committed (PostgreSQL's LISTEN/NOTIFY).
// A store that only one process writes (SQLite) has none. Changes this node
// made itself may be reported again; every consumer tolerates that (they only
// wake readers that then read the store). Thread-safe.
class ChangeFeed {
 public:
  using Handler = std::function<void(const StoreChange&)>;
  virtual ~ChangeFeed() = default;

  // Starts delivering changes to `handler` on a thread of the feed's own
  // (which must not block), reconnecting by itself when the database goes
  // away. After a reconnection every project may have changed unseen, so
  // `handler` then also gets a kEvents change with project_rowid 0: "any".
  virtual void start(Handler handler) = 0;
  // Stops delivering; returns once the thread has ended.
  virtual void stop() = 0;
};

}  // namespace agentsudo::server
