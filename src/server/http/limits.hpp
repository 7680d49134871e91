#pragma once

#include <chrono>
#include <cstddef>

namespace agentsudo::server::http {

// What a slow or hostile client could otherwise exhaust.
struct TransportLimits {
  std::size_t header_bytes = 16 * 1024;
  // A kept-alive (or new) connection may wait this long for the first byte of
  // its next request; then it is closed without an answer.
  std::chrono::seconds idle_timeout{60};
  // From its first byte, a request must arrive whole (header and body) within
  // this long, else it is answered 408 and the connection closed.
  std::chrono::seconds request_timeout{30};
  std::chrono::seconds write_timeout{30};
  // Connections served at once; more are accepted and closed at once.
  std::size_t max_connections = 10'000;
};

}  // namespace agentsudo::server::http
