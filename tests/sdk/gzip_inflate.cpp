#include "gzip_inflate.hpp"

#include <zlib.h>

#include <array>
#include <stdexcept>

namespace agentsudo::testing {

std::string inflate_gzip(std::string_view compressed) {
  z_stream stream{};
  // 16 + 15: a gzip wrapper around a 32 KiB window.
  if (inflateInit2(&stream, 16 + 15) != Z_OK)
    throw std::runtime_error("inflateInit2 failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  std::array<char, 16384> chunk;
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk.data(), chunk.size() - stream.avail_out);
  }
  bool whole = status == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!whole)
    throw std::runtime_error("not one whole gzip stream");
  return out;
}

bool looks_gzipped(std::string_view body) {
  return body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
         static_cast<unsigned char>(body[1]) == 0x8b;
}

}  // namespace agentsudo::testing
