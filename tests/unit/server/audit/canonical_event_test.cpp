// The canonical encoding and the chain hash against fixed vectors computed
// independently of this code (from docs/AUDIT.md's byte layout, in Python).

#include "server/audit/canonical_event.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "server/audit/chain_hash.hpp"

namespace agentsudo::server::audit {
namespace {

std::string hex(const std::string& bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

ChainedEvent sample() {
  ChainedEvent event;
  event.project_id = "p-1";
  event.position = 1;
  event.seq = 42;
  event.event_id = "e-1";
  event.agent_id = "a-1";
  event.agent_name = "bot";
  event.action = "read";
  event.scope = "files:read";
  event.allowed = true;
  event.metadata_json = R"({"k":1})";
  event.timestamp = 1'700'000'000'000'000;
  event.received_at = 1'700'000'000'000'001;
  return event;
}

constexpr const char* kSampleEncoding =
    "015300000003702d3149000000000000000149000000000000002a5300000003652d315300000003612d31530000"
    "0003626f74530000000472656164530000000a66696c65733a7265616442014e53000000077b226b223a317d4900"
    "060a24181e40004900060a24181e4001";

TEST(CanonicalEvent, EncodesEveryFieldTaggedAndLengthPrefixedInTheDocumentedOrder) {
  std::string encoding;
  append_canonical_event(sample(), encoding);
  EXPECT_EQ(hex(encoding), kSampleEncoding);
}

TEST(CanonicalEvent, AnAbsentScopeDiffersFromAnEmptyOne) {
  ChainedEvent absent = sample();
  absent.scope.reset();
  ChainedEvent empty = sample();
  empty.scope = "";
  std::string a;
  std::string b;
  append_canonical_event(absent, a);
  append_canonical_event(empty, b);
  EXPECT_NE(a, b);
}

TEST(CanonicalEvent, MovingBytesBetweenFieldsChangesTheEncoding) {
  ChainedEvent one = sample();
  one.agent_name = "bo";
  one.action = "tread";
  std::string a;
  std::string b;
  append_canonical_event(sample(), a);
  append_canonical_event(one, b);
  EXPECT_NE(a, b);
}

TEST(ChainHash, FirstLinkIsSha256OfZeroHashAndEncoding) {
  ASSERT_GE(sodium_init(), 0);
  std::string encoding;
  append_canonical_event(sample(), encoding);
  EXPECT_EQ(to_hex(next_chain_hash(kGenesisHash, encoding)),
            "4c5c5d7e485196833244fa7c917d128781e7a29db71f1538f9708a3edd805f65");
}

TEST(ChainHash, HexRoundTripsAndRefusesWrongLengths) {
  ChainHash hash = next_chain_hash(kGenesisHash, "x");
  EXPECT_EQ(chain_hash_from_hex(to_hex(hash)), hash);
  EXPECT_FALSE(chain_hash_from_hex("abcd").has_value());
  EXPECT_FALSE(chain_hash_from_bytes("short").has_value());
}

}  // namespace
}  // namespace agentsudo::server::audit
