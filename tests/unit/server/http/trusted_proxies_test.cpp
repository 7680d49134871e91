#include "server/http/trusted_proxies.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace agentsudo::server::http {
namespace {

namespace ip = boost::asio::ip;

TrustedProxies parsed(const std::vector<std::string>& ranges) {
  auto proxies = TrustedProxies::parse(ranges);
  EXPECT_TRUE(proxies.ok()) << proxies.error().message;
  return proxies ? std::move(*proxies) : TrustedProxies{};
}

RequestHeader forwarded(std::initializer_list<std::string> lines) {
  RequestHeader header;
  for (const auto& line : lines)
    header.insert("X-Forwarded-For", line);
  return header;
}

TEST(TrustedProxiesTest, ContainsAddressesInItsRanges) {
  struct Row {
    const char* address;
    bool trusted;
  };
  auto proxies = parsed({"10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1"});
  for (Row row : {Row{"10.0.0.0", true}, Row{"10.255.255.255", true}, Row{"11.0.0.0", false},
                  Row{"192.168.1.7", true}, Row{"192.168.1.8", false}, Row{"fd12::1", true},
                  Row{"fe00::1", false}, Row{"::1", true}, Row{"::2", false},
                  Row{"::ffff:10.1.2.3", true}, Row{"::ffff:11.1.2.3", false}})
    EXPECT_EQ(proxies.contains(ip::make_address(row.address)), row.trusted) << row.address;
}

TEST(TrustedProxiesTest, HostBitsInARangeAreIgnored) {
  auto proxies = parsed({"10.1.2.3/16"});
  EXPECT_TRUE(proxies.contains(ip::make_address("10.1.200.1")));
  EXPECT_FALSE(proxies.contains(ip::make_address("10.2.0.1")));
}

TEST(TrustedProxiesTest, RefusesWhatIsNotARange) {
  for (const char* bad : {"", "nonsense", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "fd00::/129",
                          "10.0.0.0/8x", "1.2.3.4:80"}) {
    auto proxies = TrustedProxies::parse({"127.0.0.1/32", bad});
    ASSERT_FALSE(proxies.ok()) << bad;
    EXPECT_EQ(proxies.error().kind, ErrorKind::kInvalidParameter);
    EXPECT_NE(proxies.error().message.find(std::string("\"") + bad + "\""), std::string::npos)
        << proxies.error().message;
  }
}

TEST(TrustedProxiesTest, NoneMeansThePeerIsTheClient) {
  TrustedProxies none;
  EXPECT_TRUE(none.empty());
  auto peer = ip::make_address("127.0.0.1");
  EXPECT_EQ(none.client_of(peer, forwarded({"203.0.113.7"})), peer);
}

TEST(TrustedProxiesTest, AnUntrustedPeerIsTheClientWhateverItForwards) {
  auto proxies = parsed({"10.0.0.0/8"});
  auto peer = ip::make_address("198.51.100.1");
  EXPECT_EQ(proxies.client_of(peer, forwarded({"203.0.113.7"})), peer);
}

TEST(TrustedProxiesTest, TheClientIsTheRightmostAddressNoTrustedProxyWrote) {
  auto proxies = parsed({"10.0.0.0/8"});
  auto peer = ip::make_address("10.0.0.1");
  struct Row {
    std::initializer_list<std::string> lines;
    const char* client;
  };
  for (const Row& row : {
           Row{{"203.0.113.7"}, "203.0.113.7"},
           Row{{"192.0.2.1, 203.0.113.7"}, "203.0.113.7"},  // the left is the client's say
           Row{{"192.0.2.1, 203.0.113.7, 10.9.9.9"}, "203.0.113.7"},     // proxies skipped
           Row{{"192.0.2.1", "203.0.113.7 , 10.9.9.9"}, "203.0.113.7"},  // lines joined in order
           Row{{"10.2.2.2, 10.9.9.9"}, "10.2.2.2"},  // all trusted: the leftmost
           Row{{"garbage, 10.9.9.9"}, "10.9.9.9"},   // the last address a proxy vouched for
           Row{{""}, "10.0.0.1"},
           Row{{"[2001:db8::5]:4711"}, "2001:db8::5"},
           Row{{"203.0.113.7:4711"}, "203.0.113.7"},
           Row{{"2001:db8::5"}, "2001:db8::5"},
       }) {
    EXPECT_EQ(proxies.client_of(peer, forwarded(row.lines)), ip::make_address(row.client))
        << *row.lines.begin();
  }
  EXPECT_EQ(proxies.client_of(peer, RequestHeader{}), peer) << "no header: the proxy itself";
}

TEST(TrustedProxiesTest, AMappedPeerIsComparedAsIpv4) {
  auto proxies = parsed({"127.0.0.1/32"});
  EXPECT_EQ(proxies.client_of(ip::make_address("::ffff:127.0.0.1"), forwarded({"203.0.113.7"})),
            ip::make_address("203.0.113.7"));
}

}  // namespace
}  // namespace agentsudo::server::http
