#include "server/http/gzip_body.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace agentsudo::server::http {
namespace {

// Output grows in steps of this size, so a small body stays small and a large
// one costs few reallocations.
constexpr std::size_t kInflateStep = 64 * 1024;
// zlib's window bits plus 16: accept the gzip wrapper only.
constexpr int kGzipOnly = MAX_WBITS + 16;

Error corrupt() {
  return make_error(ErrorKind::kInvalidPayload,
                    "the body is not a complete gzip stream, as its Content-Encoding says",
                    "Content-Encoding");
}

Error too_large(std::size_t max_bytes) {
  return make_error(
      ErrorKind::kPayloadTooLarge,
      "the body inflates to more than " + std::to_string(max_bytes) + " bytes, this route's limit");
}

// Owns a z_stream set up for inflating, so every path ends it.
class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&stream_, kGzipOnly) == Z_OK; }
  ~Inflater() {
    if (ok_)
      inflateEnd(&stream_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  bool ok() const { return ok_; }
  z_stream& stream() { return stream_; }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

}  // namespace

Result<std::string> inflate_gzip(std::string_view compressed, std::size_t max_bytes) {
  if (compressed.size() > std::numeric_limits<uInt>::max())
    return too_large(max_bytes);
  Inflater inflater;
  if (!inflater.ok())
    return make_error(ErrorKind::kInternal, "could not start inflating the body");
  z_stream& stream = inflater.stream();
  // zlib's interface is not const-correct; it never writes through next_in.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());

  std::string out;
  std::string chunk(kInflateStep, '\0');
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    status = inflate(&stream, Z_NO_FLUSH);
    // There is always room for output here, so anything but progress means
    // the input ended early (Z_BUF_ERROR) or is not gzip.
    if (status != Z_OK && status != Z_STREAM_END)
      return corrupt();
    std::size_t produced = chunk.size() - stream.avail_out;
    if (produced > max_bytes - out.size())
      return too_large(max_bytes);
    if (out.size() + produced > out.capacity())  // geometric, but never past the limit
      out.reserve(std::min(max_bytes, std::max(out.size() + produced, 2 * out.capacity())));
    out.append(chunk, 0, produced);
  }
  if (stream.avail_in != 0)
    return corrupt();  // bytes after the gzip member
  return out;
}

}  // namespace agentsudo::server::http
