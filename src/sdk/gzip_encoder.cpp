#include "sdk/gzip_encoder.hpp"

#include <new>
#include <stdexcept>

namespace agentsudo {
namespace {

// zlib's windowBits: a 32 KiB window, and 16 added asks for a gzip wrapper
// instead of zlib's own.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemoryLevel = 8;

}  // namespace

GzipEncoder::GzipEncoder() {
  if (deflateInit2(&stream_, Z_BEST_SPEED, Z_DEFLATED, kGzipWindowBits, kMemoryLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::bad_alloc();
  }
}

GzipEncoder::~GzipEncoder() {
  deflateEnd(&stream_);
}

void GzipEncoder::encode(std::string_view in, std::string& out) {
  deflateReset(&stream_);
  out.resize(deflateBound(&stream_, static_cast<uLong>(in.size())));
  // zlib's interface is not const-correct; it never writes through next_in.
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream_.avail_in = static_cast<uInt>(in.size());
  stream_.next_out = reinterpret_cast<Bytef*>(out.data());
  stream_.avail_out = static_cast<uInt>(out.size());
  // deflateBound() leaves room for the whole stream, so one call finishes it.
  if (deflate(&stream_, Z_FINISH) != Z_STREAM_END)
    throw std::runtime_error("gzip: deflate did not finish the stream");
  out.resize(stream_.total_out);
}

}  // namespace agentsudo
