// inflate_gzip: a gzip body comes back as sent, and every way a body can be
// too big or broken is refused with the kind the API answers with.

#include "server/http/gzip_body.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace agentsudo::server::http {
namespace {

std::string gzip(const std::string& plain) {
  z_stream stream{};
  EXPECT_EQ(
      deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&stream, static_cast<uLong>(plain.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

TEST(InflateGzip, ReturnsTheBodyAsSent) {
  std::string plain = R"([{"agent_name":"a","action":"check","allowed":true}])";
  auto inflated = inflate_gzip(gzip(plain), 1024);
  ASSERT_TRUE(inflated.ok()) << inflated.error().message;
  EXPECT_EQ(*inflated, plain);
}

TEST(InflateGzip, AcceptsABodyOfExactlyTheLimit) {
  std::string plain(300'000, 'x');
  auto inflated = inflate_gzip(gzip(plain), plain.size());
  ASSERT_TRUE(inflated.ok()) << inflated.error().message;
  EXPECT_EQ(inflated->size(), plain.size());
}

TEST(InflateGzip, RefusesABombWithoutInflatingItWhole) {
  std::string bomb = gzip(std::string(10 * 1024 * 1024, '\0'));
  ASSERT_LT(bomb.size(), 20'000u);
  auto inflated = inflate_gzip(bomb, 4 * 1024 * 1024);
  ASSERT_FALSE(inflated.ok());
  EXPECT_EQ(inflated.error().kind, ErrorKind::kPayloadTooLarge);
}

TEST(InflateGzip, RefusesOneBytePastTheLimit) {
  std::string plain(1000, 'y');
  auto inflated = inflate_gzip(gzip(plain), plain.size() - 1);
  ASSERT_FALSE(inflated.ok());
  EXPECT_EQ(inflated.error().kind, ErrorKind::kPayloadTooLarge);
}

TEST(InflateGzip, RefusesATruncatedStreamNamingTheHeader) {
  std::string compressed = gzip(std::string(5000, 'z') + "tail");
  compressed.resize(compressed.size() - 6);
  auto inflated = inflate_gzip(compressed, 1 << 20);
  ASSERT_FALSE(inflated.ok());
  EXPECT_EQ(inflated.error().kind, ErrorKind::kInvalidPayload);
  EXPECT_EQ(inflated.error().field, "Content-Encoding");
}

TEST(InflateGzip, RefusesBytesThatAreNotGzip) {
  for (std::string body : {std::string("[]"), std::string(), std::string("\x1f\x8b\x08garbage")}) {
    auto inflated = inflate_gzip(body, 1 << 20);
    ASSERT_FALSE(inflated.ok()) << body;
    EXPECT_EQ(inflated.error().kind, ErrorKind::kInvalidPayload);
    EXPECT_EQ(inflated.error().field, "Content-Encoding");
  }
}

TEST(InflateGzip, RefusesBytesAfterTheStream) {
  auto inflated = inflate_gzip(gzip("[]") + "extra", 1 << 20);
  ASSERT_FALSE(inflated.ok());
  EXPECT_EQ(inflated.error().field, "Content-Encoding");
}

}  // namespace
}  // namespace agentsudo::server::http
