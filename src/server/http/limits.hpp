#pragma once

#include <chrono>
#include <cstddef>

namespace agentsudo::server::http {

// What a slow or hostile client could otherwise exhaust.
struct TransportLimits {
  std::size_t header_bytes = 16 * 1024;
  // An idle keep-alive connection is closed after this long.
  std::chrono::seconds idle_timeout{60};
  // A request must arrive whole (header and body) within this long.
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30};
  std::size_t max_connections = 10'000;
};

}  // namespace agentsudo::server::http
