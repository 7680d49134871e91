#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "server/http/message.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server::http {

// The parser of one request; a connection makes a new one per request.
using RequestParser = beast_http::request_parser<beast_http::string_body>;

// Where reading a request's header section stands after some bytes.
struct HeaderProgress {
  // Bytes of the input the parser took; the caller consumes them.
  std::size_t consumed = 0;
  // True once the header section is parsed and passed every check.
  bool complete = false;
  // Set when the request must be refused and its connection closed: after a
  // framing error nothing on the connection can be trusted to be a request.
  std::optional<Error> refusal;
};

// Reads one request's header section out of the bytes a connection receives:
// Beast's parser, the section's size against its limit, then the checks of
// RFC 9112 that Beast's parser leaves out:
//   - no obsolete line folding, and no whitespace before the first field (§5.2, §2.2);
//   - exactly one Host in HTTP/1.1, at most one in HTTP/1.0, a valid value (§3.2);
//   - a target in origin form, or absolute form with an http(s) authority,
//     which is rewritten to origin form and becomes the Host (§3.2.2);
//     `*` for OPTIONS only;
//   - Transfer-Encoding only in HTTP/1.1, never with Content-Length, with
//     `chunked` last and once (§6.1, §6.3), else kInvalidPayload; other
//     codings are kNotImplemented (§6.1 asks for 501).
// A header section of `header_limit` bytes or more is kHeaderTooLarge.
// One reader per request, used by one connection at a time.
class RequestHeaderReader {
 public:
  // `parser` must outlive the reader and not have parsed anything yet.
  RequestHeaderReader(RequestParser& parser, std::size_t header_limit);

  // Offers `received`, the bytes not yet consumed. Neither complete nor
  // refused means more bytes are needed.
  HeaderProgress offer(std::string_view received);

 private:
  RequestParser& parser_;
  std::size_t header_limit_;
  // Bytes of the header section the parser has taken in earlier offers:
  // Beast takes whole field lines as they come and checks its own limit only
  // against what one offer holds, so the total is counted here.
  std::size_t taken_ = 0;
};

// The checks above that need the raw bytes: `lines` are whole lines of a
// header section, the request line first when `from_request_line`.
Status check_field_lines(std::string_view lines, bool from_request_line);

// The checks above that need only the parsed header; rewrites an
// absolute-form target to origin form.
Status check_request_header(RequestHeader& header);

// Sets the body limit of a parser whose header is complete, or refuses with
// kPayloadTooLarge a Content-Length over it: Beast reserves the declared
// length before reading a byte, so it must never see one past the limit.
Status limit_body(RequestParser& parser, std::size_t limit);

}  // namespace agentsudo::server::http
