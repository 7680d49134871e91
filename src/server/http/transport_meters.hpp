#pragma once

#include "server/metrics/metrics.hpp"

namespace agentsudo::server::http {

// Where the transport counts what it holds, refused and cut short; the
// counters must outlive the HttpServer. Thread-safe (the counters are).
struct TransportMeters {
  // Connections closed unserved: over --max-connections, or no descriptor left.
  Counter& connections_refused;
  // Connections being served now.
  Gauge& connections_open;
  // Requests that did not arrive whole within the request timeout (408).
  Counter& requests_timed_out;
};

}  // namespace agentsudo::server::http
