#include "server/http/trusted_proxies.hpp"

#include <algorithm>
#include <optional>

namespace agentsudo::server::http {
namespace ip = boost::asio::ip;

namespace {

constexpr std::string_view kBlanks = " \t";

std::string_view trimmed(std::string_view text) {
  auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos)
    return {};
  auto last = text.find_last_not_of(kBlanks);
  return text.substr(first, last - first + 1);
}

// An IPv4 peer of a dual-stack socket arrives as ::ffff:a.b.c.d; ranges are
// written in IPv4, so compare it as IPv4.
ip::address unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

// One X-Forwarded-For element: an address, possibly "[v6]" or "v4:port" as
// some proxies write it. Nothing for anything else.
std::optional<ip::address> forwarded_address(std::string_view element) {
  element = trimmed(element);
  if (element.starts_with('[')) {
    auto close = element.find(']');
    if (close == std::string_view::npos)
      return std::nullopt;
    element = element.substr(1, close - 1);
  } else if (std::count(element.begin(), element.end(), ':') == 1) {
    element = element.substr(0, element.find(':'));
  }
  boost::system::error_code invalid;
  auto address = ip::make_address(element, invalid);
  if (invalid)
    return std::nullopt;
  return unmapped(address);
}

// Every X-Forwarded-For element, in order, across repeated header lines.
std::vector<std::string_view> forwarded_chain(const RequestHeader& header) {
  std::vector<std::string_view> chain;
  auto [first, last] = header.equal_range("X-Forwarded-For");
  for (auto line = first; line != last; ++line) {
    std::string_view value = line->value();
    for (std::size_t start = 0;;) {
      auto comma = value.find(',', start);
      chain.push_back(value.substr(start, comma - start));
      if (comma == std::string_view::npos)
        break;
      start = comma + 1;
    }
  }
  return chain;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& ranges) {
  TrustedProxies proxies;
  for (const std::string& written : ranges) {
    std::string range(trimmed(written));
    if (range.find('/') == std::string::npos) {
      boost::system::error_code invalid;
      auto host = ip::make_address(range, invalid);
      range += host.is_v6() ? "/128" : "/32";
    }
    boost::system::error_code invalid;
    if (range.find(':') != std::string::npos) {
      auto network = ip::make_network_v6(range, invalid);
      if (!invalid)
        proxies.v6_.push_back(network.canonical());
    } else {
      auto network = ip::make_network_v4(range, invalid);
      if (!invalid)
        proxies.v4_.push_back(network.canonical());
    }
    if (invalid) {
      return make_error(ErrorKind::kInvalidParameter,
                        "--trusted-proxy \"" + written +
                            "\" is not an address range (CIDR: 10.0.0.0/8, fd00::/8)");
    }
  }
  return proxies;
}

bool TrustedProxies::contains(const ip::address& address) const {
  ip::address plain = unmapped(address);
  if (plain.is_v4()) {
    return std::any_of(v4_.begin(), v4_.end(), [&](const ip::network_v4& range) {
      return ip::network_v4(plain.to_v4(), range.prefix_length()).canonical() == range;
    });
  }
  return std::any_of(v6_.begin(), v6_.end(), [&](const ip::network_v6& range) {
    return ip::network_v6(plain.to_v6(), range.prefix_length()).canonical() == range;
  });
}

ip::address TrustedProxies::client_of(const ip::address& peer, const RequestHeader& header) const {
  ip::address client = unmapped(peer);
  if (!contains(client))
    return client;
  auto chain = forwarded_chain(header);
  for (auto element = chain.rbegin(); element != chain.rend(); ++element) {
    auto forwarded = forwarded_address(*element);
    if (!forwarded)
      break;  // not written by a proxy we trust: the last hop is all we know
    client = *forwarded;
    if (!contains(client))
      break;
  }
  return client;
}

}  // namespace agentsudo::server::http
