#include "server/api/cursor.hpp"

#include <sodium.h>

#include <charconv>

namespace agentsudo::server::api {
namespace {

// 128 bits of tag are plenty against forgery and keep the cursor short.
constexpr std::size_t kTagBytes = 16;

}  // namespace

std::string CursorCodec::seal(std::int64_t before_seq, std::string_view scope) const {
  std::string message = std::to_string(before_seq);
  message.push_back('\n');
  message.append(scope);
  unsigned char tag[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key_.data(), key_.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, tag);
  char hex[kTagBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, tag, kTagBytes);
  return hex;
}

std::string CursorCodec::encode(std::int64_t before_seq, std::string_view scope) const {
  return std::to_string(before_seq) + "." + seal(before_seq, scope);
}

std::optional<std::int64_t> CursorCodec::decode(std::string_view cursor,
                                                std::string_view scope) const {
  auto dot = cursor.find('.');
  if (dot == std::string_view::npos)
    return std::nullopt;
  std::int64_t seq = 0;
  auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + dot, seq);
  if (ec != std::errc() || end != cursor.data() + dot || seq <= 0)
    return std::nullopt;
  std::string expected = seal(seq, scope);
  std::string_view tag = cursor.substr(dot + 1);
  if (tag.size() != expected.size() ||
      sodium_memcmp(tag.data(), expected.data(), expected.size()) != 0) {
    return std::nullopt;
  }
  return seq;
}

}  // namespace agentsudo::server::api
