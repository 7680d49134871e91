#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentsudo::server::audit {

// Writes the type-tagged fields of the canonical encodings (docs/AUDIT.md):
// 'S' + 4-byte big-endian length + bytes, 'I' + 8-byte big-endian two's
// complement, 'B' + one byte 0 or 1, and 'N' alone for an absent value.
class CanonicalWriter {
 public:
  explicit CanonicalWriter(std::string& out) : out_(out) {}

  void raw_byte(char byte) { out_.push_back(byte); }
  void string(std::string_view value);
  void integer(std::int64_t value);
  void boolean(bool value);
  void optional_string(const std::optional<std::string_view>& value);

 private:
  void big_endian(std::uint64_t value, int bytes);

  std::string& out_;
};

}  // namespace agentsudo::server::audit
