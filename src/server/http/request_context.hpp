#pragma once

#include <boost/asio/ip/address.hpp>

namespace agentsudo::server::http {

// What the transport knows about a request beyond its bytes.
struct RequestContext {
  // The client's address as the socket sees it (a proxy's, behind one).
  boost::asio::ip::address peer;
  // Who sent this request: `peer`, or behind a trusted proxy the address it
  // forwarded for (see TrustedProxies). Every per-address rule uses this.
  boost::asio::ip::address client;
};

}  // namespace agentsudo::server::http
