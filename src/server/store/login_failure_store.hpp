#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "core/timestamp.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server {

// The failed-login count of one throttle key (see LoginThrottle). A key
// whose count is fresh (all zero) is the same as a key never seen.
struct LoginFailures {
  std::int64_t attempts = 0;
  UnixMicros next_at = 0;  // no attempt before this

  bool fresh() const { return attempts == 0 && next_at == 0; }
};

// Where LoginThrottle keeps its counts: in the process (one node), or in the
// shared database, so that every node counts the same attempts.
class LoginFailureStore {
 public:
  using Change = std::function<void(std::span<LoginFailures>)>;

  virtual ~LoginFailureStore() = default;

  // Gives `change` the counts of `keys` (fresh ones for keys not kept), in
  // the same order, and keeps what it leaves, as one step that no other
  // update of those keys, on any node, interleaves with. A key left fresh is
  // no longer kept. Keys idle since before `idle_before` may be dropped.
  virtual Status update(std::span<const std::string> keys, UnixMicros idle_before,
                        const Change& change) = 0;
};

}  // namespace agentsudo::server
