#include "sdk/gzip_encoder.hpp"

#include <gtest/gtest.h>

#include <string>

#include "gzip_inflate.hpp"

namespace agentsudo {
namespace {

std::string event_batch(int events) {
  std::string json = "[";
  for (int i = 0; i < events; ++i) {
    if (i > 0)
      json += ',';
    json += R"({"event_id":"0190c2d4-5e6f-7a8b-9c0d-)" + std::to_string(100000000000 + i) +
            R"(","sequence":)" + std::to_string(i + 1) +
            R"(,"agent_name":"SupportBot","action":"permission_check","allowed":true})";
  }
  return json + "]";
}

TEST(GzipEncoder, BodiesInflateToTheSameBytes) {
  GzipEncoder encoder;
  std::string out;
  // Reused: each body is a whole stream of its own.
  for (int events : {1000, 0, 7, 1000}) {
    std::string json = event_batch(events);
    encoder.encode(json, out);
    EXPECT_TRUE(testing::looks_gzipped(out));
    EXPECT_EQ(testing::inflate_gzip(out), json) << events;
  }
}

TEST(GzipEncoder, ShrinksABatchSeveralFold) {
  GzipEncoder encoder;
  std::string json = event_batch(1000);
  std::string out;
  encoder.encode(json, out);
  EXPECT_LT(out.size() * 4, json.size());
}

TEST(GzipEncoder, EmptyInputIsAValidStream) {
  GzipEncoder encoder;
  std::string out = "stale";
  encoder.encode("", out);
  EXPECT_EQ(testing::inflate_gzip(out), "");
}

}  // namespace
}  // namespace agentsudo
