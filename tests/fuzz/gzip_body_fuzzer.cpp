// Raw bytes -> inflate_gzip, as a gzip request body: whatever they are, the
// answer is a body within the limit or one of the two refusals the API
// sends; and the same bytes gzip-compressed inflate back exactly (or are
// refused as too large when they are over the limit).
#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "server/http/gzip_body.hpp"

namespace http = agentsudo::server::http;
using agentsudo::server::ErrorKind;

namespace {

// Small, so the fuzzer reaches the limit often.
constexpr std::size_t kLimit = 4096;

std::string gzip(std::string_view plain) {
  z_stream stream{};
  FUZZ_CHECK(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, MAX_WBITS + 16, 8,
                          Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&stream, static_cast<uLong>(plain.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  FUZZ_CHECK(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto inflated = http::inflate_gzip(bytes, kLimit);
  if (inflated) {
    FUZZ_CHECK(inflated->size() <= kLimit);
  } else {
    FUZZ_CHECK(inflated.error().kind == ErrorKind::kPayloadTooLarge ||
               (inflated.error().kind == ErrorKind::kInvalidPayload &&
                inflated.error().field == "Content-Encoding"));
  }

  auto round_trip = http::inflate_gzip(gzip(bytes), kLimit);
  if (size <= kLimit) {
    FUZZ_CHECK(round_trip && *round_trip == bytes);
  } else {
    FUZZ_CHECK(!round_trip && round_trip.error().kind == ErrorKind::kPayloadTooLarge);
  }
  return 0;
}
