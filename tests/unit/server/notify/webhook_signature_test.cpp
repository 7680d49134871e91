// The webhook signature against known HMAC-SHA256 vectors (RFC 4231) and a
// header computed independently with Python's hmac module.
#include "server/notify/webhook_signature.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

namespace agentsudo::server {
namespace {

class WebhookSignatureTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
};

TEST_F(WebhookSignatureTest, MatchesRfc4231Vectors) {
  // Test case 2: a key shorter than the block.
  EXPECT_EQ(WebhookSignature::hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block, which HMAC hashes first.
  EXPECT_EQ(WebhookSignature::hmac_sha256_hex(
                std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_F(WebhookSignatureTest, HeaderSignsTheTimestampDotBody) {
  // python3: hmac.new(b"whsec_test", b'1764644645.{"id":"d1","type":"ping"}', sha256)
  EXPECT_EQ(
      WebhookSignature::header_value("whsec_test", 1764644645, R"({"id":"d1","type":"ping"})"),
      "t=1764644645,v1=1c67196d9cfbe75789a2c7930e0e4a185fcfb6c4459776b98702425a72fe5511");
}

TEST_F(WebhookSignatureTest, EveryInputChangesTheSignature) {
  std::string base = WebhookSignature::header_value("whsec_a", 100, "{}");
  EXPECT_NE(WebhookSignature::header_value("whsec_b", 100, "{}"), base);
  EXPECT_NE(WebhookSignature::header_value("whsec_a", 101, "{}"), base);
  EXPECT_NE(WebhookSignature::header_value("whsec_a", 100, "{ }"), base);
  EXPECT_EQ(WebhookSignature::header_value("whsec_a", 100, "{}"), base);
}

}  // namespace
}  // namespace agentsudo::server
