// The argument digest approval mode binds a request to: equal arguments agree,
// any change in value, kind, order or split disagrees, and user types take
// part through agentsudo_approval_bytes().
#include <gtest/gtest.h>

#include <agentsudo/approval.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace shop {

// A user type with the customization point, found by argument-dependent lookup.
struct OrderId {
  std::string region;
  int number;
};

std::string agentsudo_approval_bytes(const OrderId& id) {
  return id.region + "/" + std::to_string(id.number);
}

}  // namespace shop

namespace agentsudo {
namespace {

bool is_lower_hex_sha256(const std::string& digest) {
  return digest.size() == 64 && digest.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(ApprovalDigest, IsLowercaseHexSha256) {
  EXPECT_TRUE(is_lower_hex_sha256(approval_digest()));
  EXPECT_TRUE(is_lower_hex_sha256(approval_digest(std::string("A-1001"), 42.0)));
}

TEST(ApprovalDigest, KnownVectorForTheEmptyEncoding) {
  // SHA-256 of the label and a zero count, computed independently with
  // `printf 'agentsudo.approval-args.v1\0\0\0\0\0\0\0\0' | sha256sum`.
  ApprovalArgumentEncoder encoder(0);
  EXPECT_EQ(encoder.bytes(), std::string("agentsudo.approval-args.v1") + std::string(8, '\0'));
  EXPECT_EQ(approval_digest(), approval_digest_of(encoder.bytes()));
  EXPECT_EQ(approval_digest(), "b628b1c9705c89b848557910251bb02cc61cf8e43cede5b67e77c6a12dcd4966");
}

TEST(ApprovalDigest, SameArgumentsGiveTheSameDigest) {
  std::string order = "A-1001";
  EXPECT_EQ(approval_digest(order, 42.0, true), approval_digest(std::string("A-1001"), 42.0, true));
  // Every string-like spelling of the same text agrees.
  EXPECT_EQ(approval_digest(order), approval_digest(std::string_view("A-1001")));
  EXPECT_EQ(approval_digest(order), approval_digest("A-1001"));
  const char* pointer = "A-1001";
  EXPECT_EQ(approval_digest(order), approval_digest(pointer));
  // Integers by value, whatever their width.
  EXPECT_EQ(approval_digest(7), approval_digest(7L));
  EXPECT_EQ(approval_digest(std::int16_t{7}), approval_digest(std::int64_t{7}));
  EXPECT_EQ(approval_digest(7u), approval_digest(std::uint64_t{7}));
  EXPECT_EQ(approval_digest(1.5f), approval_digest(1.5));
}

TEST(ApprovalDigest, AnyChangedValueChangesIt) {
  std::string base = approval_digest(std::string("A-1001"), 42.0);
  EXPECT_NE(base, approval_digest(std::string("A-1002"), 42.0));
  EXPECT_NE(base, approval_digest(std::string("A-1001"), 42.01));
  EXPECT_NE(base, approval_digest(std::string("A-1001")));
  EXPECT_NE(base, approval_digest(std::string("A-1001"), 42.0, 0));
  EXPECT_NE(approval_digest(0.0), approval_digest(-0.0));
  EXPECT_NE(approval_digest(true), approval_digest(false));
  EXPECT_NE(approval_digest(std::int64_t{-1}), approval_digest(std::uint64_t{0xffffffffffffffff}));
}

TEST(ApprovalDigest, TypeTagsKeepKindsApart) {
  EXPECT_NE(approval_digest("1"), approval_digest(1));
  EXPECT_NE(approval_digest(1), approval_digest(1.0));
  EXPECT_NE(approval_digest(1), approval_digest(true));
  EXPECT_NE(approval_digest(1), approval_digest(1u));
  EXPECT_NE(approval_digest(std::string("x")), approval_digest(shop::OrderId{"x", 0}));
  const char* null_text = nullptr;
  EXPECT_NE(approval_digest(null_text), approval_digest(""));
}

TEST(ApprovalDigest, LengthsKeepSplitsAndOrderApart) {
  EXPECT_NE(approval_digest("ab", "c"), approval_digest("a", "bc"));
  EXPECT_NE(approval_digest("a", "b"), approval_digest("b", "a"));
  EXPECT_NE(approval_digest(1, 2), approval_digest(2, 1));
  EXPECT_NE(approval_digest(""), approval_digest());
  // Text with embedded zero bytes is text, all of it.
  EXPECT_NE(approval_digest(std::string("a\0b", 3)), approval_digest(std::string("a")));
}

TEST(ApprovalDigest, UserTypesUseTheirApprovalBytes) {
  EXPECT_EQ(approval_digest(shop::OrderId{"eu", 7}), approval_digest(shop::OrderId{"eu", 7}));
  EXPECT_NE(approval_digest(shop::OrderId{"eu", 7}), approval_digest(shop::OrderId{"eu", 8}));
  EXPECT_NE(approval_digest(shop::OrderId{"eu", 7}), approval_digest(shop::OrderId{"us", 7}));
}

TEST(ApprovalDigest, DigestibleTypesAreKnownAtCompileTime) {
  static_assert(approval_detail::Digestible<int>);
  static_assert(approval_detail::Digestible<double>);
  static_assert(approval_detail::Digestible<bool>);
  static_assert(approval_detail::Digestible<std::string>);
  static_assert(approval_detail::Digestible<std::string_view>);
  static_assert(approval_detail::Digestible<const char*>);
  static_assert(approval_detail::Digestible<shop::OrderId>);
  struct Opaque {};
  static_assert(!approval_detail::Digestible<Opaque>);
  static_assert(!approval_detail::Digestible<int*>);
}

}  // namespace
}  // namespace agentsudo
