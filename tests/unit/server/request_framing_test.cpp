#include "server/http/request_framing.hpp"

#include <gtest/gtest.h>

#include <string>

namespace agentsudo::server::http {
namespace {

// What a RequestHeaderReader made of one whole request.
struct Outcome {
  HeaderProgress progress;
  RequestHeader header;
};

Outcome parse(const std::string& bytes) {
  RequestParser parser;
  RequestHeaderReader reader(parser, 1024);
  Outcome outcome{reader.offer(bytes), {}};
  outcome.header = parser.get().base();
  return outcome;
}

struct Row {
  const char* name;
  std::string request;
  std::optional<ErrorKind> refusal;  // nullopt: accepted
};

class RequestFramingTable : public testing::TestWithParam<Row> {};

TEST_P(RequestFramingTable, AcceptsOrRefusesAsRfc9112Says) {
  const Row& row = GetParam();
  Outcome outcome = parse(row.request);
  if (!row.refusal) {
    EXPECT_TRUE(outcome.progress.complete)
        << (outcome.progress.refusal ? outcome.progress.refusal->message : "needs more bytes");
    EXPECT_EQ(outcome.progress.consumed, row.request.find("\r\n\r\n") + 4);
    return;
  }
  ASSERT_TRUE(outcome.progress.refusal.has_value());
  EXPECT_FALSE(outcome.progress.complete);
  EXPECT_EQ(outcome.progress.refusal->kind, *row.refusal);
}

const std::string kLong(2000, 'y');

INSTANTIATE_TEST_SUITE_P(
    Rows, RequestFramingTable,
    testing::Values(
        Row{"origin_form", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", std::nullopt},
        Row{"http10_without_host", "GET /healthz HTTP/1.0\r\n\r\n", std::nullopt},
        Row{"empty_host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", std::nullopt},
        Row{"chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
            std::nullopt},
        Row{"chunked_with_empty_list_elements",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , chunked ,\r\n\r\n", std::nullopt},
        Row{"options_star", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", std::nullopt},
        Row{"identity", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n",
            ErrorKind::kInvalidPayload},
        Row{"chunked_then_identity",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
            ErrorKind::kInvalidPayload},
        Row{"chunked_twice",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
            ErrorKind::kInvalidPayload},
        Row{"gzip_then_chunked_over_two_fields",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: "
            "chunked\r\n\r\n",
            ErrorKind::kNotImplemented},
        Row{"identity_with_length",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\nContent-Length: "
            "1\r\n\r\n",
            ErrorKind::kInvalidPayload},
        Row{"chunked_in_http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            ErrorKind::kInvalidPayload},
        Row{"folded", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\t2\r\n\r\n",
            ErrorKind::kInvalidPayload},
        Row{"no_host", "GET / HTTP/1.1\r\n\r\n", ErrorKind::kInvalidPayload},
        Row{"two_hosts", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
            ErrorKind::kInvalidPayload},
        Row{"host_with_userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n",
            ErrorKind::kInvalidPayload},
        Row{"relative_target", "GET metrics HTTP/1.1\r\nHost: x\r\n\r\n",
            ErrorKind::kInvalidPayload},
        Row{"star_for_get", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", ErrorKind::kInvalidPayload},
        Row{"other_scheme", "GET ftp://a/b HTTP/1.1\r\nHost: x\r\n\r\n",
            ErrorKind::kInvalidPayload},
        Row{"empty_authority", "GET http:///b HTTP/1.1\r\nHost: x\r\n\r\n",
            ErrorKind::kInvalidPayload},
        Row{"header_over_the_limit", "GET / HTTP/1.1\r\nHost: x\r\nX-A: " + kLong + "\r\n\r\n",
            ErrorKind::kHeaderTooLarge},
        Row{"malformed", "GET / HTTP/1.1\r\nHost x\r\n\r\n", ErrorKind::kInvalidPayload}),
    [](const testing::TestParamInfo<Row>& row) { return std::string(row.param.name); });

TEST(RequestFramingTest, AbsoluteFormBecomesOriginFormAndItsAuthorityTheHost) {
  Outcome outcome = parse("GET HTTPS://api.test:8443?x=1 HTTP/1.1\r\nHost: other\r\n\r\n");
  ASSERT_TRUE(outcome.progress.complete);
  EXPECT_EQ(outcome.header.target(), "/?x=1");
  EXPECT_EQ(outcome.header[Field::host], "api.test:8443");

  outcome = parse("POST http://a.test/ingest-event HTTP/1.1\r\nHost: a.test\r\n\r\n");
  ASSERT_TRUE(outcome.progress.complete);
  EXPECT_EQ(outcome.header.target(), "/ingest-event");
}

TEST(RequestFramingTest, AnIncompleteHeaderAsksForMore) {
  RequestParser parser;
  RequestHeaderReader reader(parser, 1024);
  std::string part = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  HeaderProgress progress = reader.offer(part);
  EXPECT_FALSE(progress.complete);
  EXPECT_FALSE(progress.refusal.has_value());
  part.erase(0, progress.consumed);
  progress = reader.offer(part + "\r\nnext request");
  EXPECT_TRUE(progress.complete);
  EXPECT_EQ(progress.consumed, part.size() + 2);
}

// The parser takes field lines as they arrive, so a limit checked per offer
// would let a header grow without bound; the reader counts the whole section.
TEST(RequestFramingTest, TheLimitHoldsForAHeaderThatArrivesInPieces) {
  RequestParser parser;
  RequestHeaderReader reader(parser, 1024);
  std::string pending = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int line = 0; line < 100; ++line) {
    pending += "X-Line: " + std::string(20, 'y') + "\r\n";
    HeaderProgress progress = reader.offer(pending);
    pending.erase(0, progress.consumed);
    if (progress.refusal) {
      EXPECT_EQ(progress.refusal->kind, ErrorKind::kHeaderTooLarge);
      EXPECT_GT(line, 25);
      return;
    }
  }
  FAIL() << "a header section of 3 KB passed a limit of 1 KiB";
}

TEST(RequestFramingTest, AFoldedLineIsFoundInALaterPiece) {
  RequestParser parser;
  RequestHeaderReader reader(parser, 1024);
  HeaderProgress progress = reader.offer("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n");
  ASSERT_FALSE(progress.refusal.has_value());
  std::string rest =
      std::string("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n").substr(progress.consumed);
  progress = reader.offer(rest + " 2\r\n\r\n");
  ASSERT_TRUE(progress.refusal.has_value());
  EXPECT_NE(progress.refusal->message.find("folding"), std::string::npos);
}

TEST(RequestFramingTest, FieldLinesStartingWithWhitespaceAreFolding) {
  EXPECT_TRUE(check_field_lines("GET / HTTP/1.1\r\nA: b c\r\n\r\n", true).ok());
  EXPECT_FALSE(check_field_lines("GET / HTTP/1.1\r\n A: b\r\n\r\n", true).ok());
  EXPECT_FALSE(check_field_lines("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", true).ok());
  EXPECT_TRUE(check_field_lines("A: b\r\n", false).ok());
  EXPECT_FALSE(check_field_lines("\tA: b\r\n", false).ok());
}

}  // namespace
}  // namespace agentsudo::server::http
