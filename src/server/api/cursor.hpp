#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentsudo::server::api {

// Pagination cursors for the read API: the position after the last event of
// a page, sealed with an HMAC over that position and the query's filters.
// A cursor we did not issue, or one reused with other filters, fails to
// decode instead of silently paging something else. Thread-safe.
class CursorCodec {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  explicit CursorCodec(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {}

  // `scope` binds the cursor to one project and one set of filters.
  std::string encode(std::int64_t before_seq, std::string_view scope) const;
  std::optional<std::int64_t> decode(std::string_view cursor, std::string_view scope) const;

 private:
  std::string seal(std::int64_t before_seq, std::string_view scope) const;

  std::array<unsigned char, kKeyBytes> key_;
};

}  // namespace agentsudo::server::api
