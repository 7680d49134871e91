#include "server/audit/canonical_writer.hpp"

namespace agentsudo::server::audit {

void CanonicalWriter::string(std::string_view value) {
  out_.push_back('S');
  big_endian(value.size(), 4);
  out_.append(value);
}

void CanonicalWriter::integer(std::int64_t value) {
  out_.push_back('I');
  big_endian(static_cast<std::uint64_t>(value), 8);
}

void CanonicalWriter::boolean(bool value) {
  out_.push_back('B');
  out_.push_back(value ? 1 : 0);
}

void CanonicalWriter::optional_string(const std::optional<std::string_view>& value) {
  if (value)
    string(*value);
  else
    out_.push_back('N');
}

void CanonicalWriter::big_endian(std::uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
    out_.push_back(static_cast<char>((value >> shift) & 0xff));
}

}  // namespace agentsudo::server::audit
