// Pagination cursors: decoding any text never crashes and accepts nothing it
// did not issue for that scope; what encode issues decodes to the same
// position for its own scope only. The input is a position (8 bytes), then a
// cursor and a scope separated by a NUL.
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "server/api/cursor.hpp"

namespace api = agentsudo::server::api;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const api::CursorCodec codec([] {
    std::array<unsigned char, api::CursorCodec::kKeyBytes> key{};
    key.fill(0x5a);
    return key;
  }());
  std::int64_t position = 0;
  if (size >= sizeof position) {
    std::memcpy(&position, data, sizeof position);
    data += sizeof position;
    size -= sizeof position;
  }
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::string_view cursor = rest.substr(0, rest.find('\0'));
  std::string_view scope = cursor.size() < rest.size() ? rest.substr(cursor.size() + 1) : "";

  auto decoded = codec.decode(cursor, scope);
  if (decoded)
    FUZZ_CHECK(*decoded > 0);

  std::string issued = codec.encode(position, scope);
  auto round_trip = codec.decode(issued, scope);
  if (position > 0) {
    FUZZ_CHECK(round_trip && *round_trip == position);
    std::string other_scope = std::string(scope) + "x";
    FUZZ_CHECK(!codec.decode(issued, other_scope));
  } else {
    FUZZ_CHECK(!round_trip);
  }
  return 0;
}
