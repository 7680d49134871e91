#pragma once

#include <cstddef>

namespace agentsudo::server::http {

// One descriptor held in reserve (on /dev/null) so that a process with no
// descriptor left can still accept a waiting connection and close it at once:
// its client learns it was refused instead of waiting in the listen backlog
// until its own timeout. Not thread-safe.
class SpareDescriptor {
 public:
  SpareDescriptor();
  ~SpareDescriptor();
  SpareDescriptor(const SpareDescriptor&) = delete;
  SpareDescriptor& operator=(const SpareDescriptor&) = delete;

  // Gives the spare up, accepts and closes up to `at_most` connections
  // waiting on the non-blocking `listener`, then takes the spare back.
  // Returns how many it closed (0 when the spare could not be held).
  std::size_t refuse_waiting(int listener, std::size_t at_most);

 private:
  void take();

  int descriptor_ = -1;
};

}  // namespace agentsudo::server::http
