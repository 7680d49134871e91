#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

namespace agentsudo {

// Compresses request bodies into gzip streams (RFC 1952) for
// `Content-Encoding: gzip`, reusing one zlib stream and its buffers across
// bodies. Compresses at zlib's fastest level: event batches are repetitive
// JSON that shrinks well at any level, and the CPU is the agent's.
//
// Not thread-safe; one per sending thread.
class GzipEncoder {
 public:
  // Throws std::bad_alloc when zlib cannot set up its state.
  GzipEncoder();
  ~GzipEncoder();
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  // Replaces `out` with the gzip encoding of `in`. Throws std::bad_alloc
  // when memory runs out, std::runtime_error if zlib fails otherwise.
  void encode(std::string_view in, std::string& out);

 private:
  z_stream stream_{};
};

}  // namespace agentsudo
