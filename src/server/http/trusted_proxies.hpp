#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/message.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server::http {

// The reverse proxies whose X-Forwarded-For the server believes, as address
// ranges, and the client address of a request they forwarded. Immutable once
// made, so thread-safe.
class TrustedProxies {
 public:
  // None: every request's client is its TCP peer.
  TrustedProxies() = default;

  // Ranges in CIDR form ("10.0.0.0/8", "fd00::/8"; a bare address is one
  // host). kInvalidParameter naming the first one that is not a range.
  static Result<TrustedProxies> parse(const std::vector<std::string>& ranges);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  bool contains(const boost::asio::ip::address& address) const;

  // Who sent the request: the peer itself unless it is trusted; behind
  // trusted proxies, the rightmost X-Forwarded-For address that is not
  // itself a trusted proxy (the leftmost one the proxies vouch for, when all
  // are trusted or the next one to the left is not an address).
  boost::asio::ip::address client_of(const boost::asio::ip::address& peer,
                                     const RequestHeader& header) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

}  // namespace agentsudo::server::http
