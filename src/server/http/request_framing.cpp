#include "server/http/request_framing.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <string>
#include <vector>

namespace agentsudo::server::http {
namespace beast = boost::beast;

namespace {

Error bad_request(std::string message) {
  return make_error(ErrorKind::kInvalidPayload, std::move(message));
}

std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

// The bytes RFC 3986 allows in an authority (reg-name or IP literal, and a
// port) once userinfo is ruled out; anything else in a Host is a lie about
// where the request was sent.
bool is_authority_byte(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  return std::string_view("-._~!$&'()*+,;=%:[]").find(c) != std::string_view::npos;
}

bool is_valid_authority(std::string_view authority) {
  for (char c : authority) {
    if (!is_authority_byte(c))
      return false;
  }
  return true;
}

Status check_host(const RequestHeader& header) {
  auto hosts = header.equal_range(Field::host);
  auto count = std::distance(hosts.first, hosts.second);
  if (count > 1)
    return bad_request("a request must carry one Host header field, not " + std::to_string(count));
  if (count == 0) {
    if (header.version() >= 11)
      return bad_request("an HTTP/1.1 request must carry a Host header field");
    return {};
  }
  if (!is_valid_authority(hosts.first->value()))
    return bad_request("the Host header field is not a valid host[:port]");
  return {};
}

// Rewrites an absolute-form target ("http://host/path?query") to origin form
// and makes its authority the Host, as RFC 9112 §3.2.2 asks of an origin
// server; refuses every target that is neither.
Status normalize_target(RequestHeader& header) {
  std::string_view target = header.target();
  if (target.starts_with('/'))
    return {};
  if (target == "*") {
    if (header.method() == Verb::options)
      return {};
    return bad_request("the request target * is for OPTIONS only");
  }
  auto not_a_target = [&] {
    return bad_request(
        "the request target must be a path starting with / or an absolute http(s) URI");
  };
  auto separator = target.find("://");
  if (separator == std::string_view::npos)
    return not_a_target();
  std::string_view scheme = target.substr(0, separator);
  if (!beast::iequals(scheme, "http") && !beast::iequals(scheme, "https"))
    return not_a_target();
  std::string_view rest = target.substr(separator + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view path = rest.substr(authority.size());
  if (authority.empty() || !is_valid_authority(authority) || path.starts_with('#'))
    return not_a_target();
  std::string origin_form = path.starts_with('/') ? std::string(path) : "/" + std::string(path);
  std::string host(authority);
  header.target(origin_form);
  header.set(Field::host, host);
  return {};
}

// The transfer codings of every Transfer-Encoding field, in order; empty list
// elements are skipped, as list syntax allows.
std::vector<std::string_view> transfer_codings(const RequestHeader& header) {
  std::vector<std::string_view> codings;
  auto fields = header.equal_range(Field::transfer_encoding);
  for (auto field = fields.first; field != fields.second; ++field) {
    std::string_view list = field->value();
    while (true) {
      auto comma = list.find(',');
      std::string_view element = trim_whitespace(list.substr(0, comma));
      if (!element.empty())
        codings.push_back(element);
      if (comma == std::string_view::npos)
        break;
      list.remove_prefix(comma + 1);
    }
  }
  return codings;
}

Status check_transfer_encoding(const RequestHeader& header) {
  if (header.find(Field::transfer_encoding) == header.end())
    return {};
  if (header.version() < 11)
    return bad_request("Transfer-Encoding is not allowed in an HTTP/1.0 request");
  // Either framing could be the one an intermediary used, so neither is trusted.
  if (header.find(Field::content_length) != header.end())
    return bad_request("a request must not carry both Transfer-Encoding and Content-Length");
  auto codings = transfer_codings(header);
  if (codings.empty() || !beast::iequals(codings.back(), "chunked")) {
    return bad_request(
        "the final Transfer-Encoding of a request must be chunked, or its length is unknown");
  }
  for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
    if (beast::iequals(codings[i], "chunked"))
      return bad_request("Transfer-Encoding must apply chunked only once");
  }
  if (codings.size() > 1) {
    return make_error(ErrorKind::kNotImplemented,
                      "the transfer coding " + std::string(codings.front()) +
                          " is not implemented; send the body chunked only");
  }
  return {};
}

}  // namespace

Status check_field_lines(std::string_view lines, bool from_request_line) {
  auto folded = [] {
    return bad_request(
        "a header line starts with whitespace: obsolete line folding is not accepted");
  };
  if (!from_request_line && (lines.starts_with(' ') || lines.starts_with('\t')))
    return folded();
  for (auto end = lines.find("\r\n"); end != std::string_view::npos && end + 2 < lines.size();
       end = lines.find("\r\n", end + 2)) {
    if (lines[end + 2] == ' ' || lines[end + 2] == '\t')
      return folded();
  }
  return {};
}

Status check_request_header(RequestHeader& header) {
  if (auto host = check_host(header); !host)
    return host;
  if (auto target = normalize_target(header); !target)
    return target;
  return check_transfer_encoding(header);
}

Status limit_body(RequestParser& parser, std::size_t limit) {
  auto declared = parser.content_length();
  if (declared && *declared > limit)
    return make_error(ErrorKind::kPayloadTooLarge, "request body is over this route's limit of " +
                                                       std::to_string(limit) + " bytes");
  parser.body_limit(limit);
  return {};
}

RequestHeaderReader::RequestHeaderReader(RequestParser& parser, std::size_t header_limit)
    : parser_(parser), header_limit_(header_limit) {
  parser_.header_limit(static_cast<std::uint32_t>(header_limit));
}

HeaderProgress RequestHeaderReader::offer(std::string_view received) {
  HeaderProgress progress;
  auto too_large = [&] {
    progress.refusal = make_error(ErrorKind::kHeaderTooLarge,
                                  "the request's header section is over the limit of " +
                                      std::to_string(header_limit_) + " bytes");
    return progress;
  };
  beast::error_code ec;
  progress.consumed = parser_.put(boost::asio::buffer(received.data(), received.size()), ec);
  if (ec == beast_http::error::header_limit)
    return too_large();
  if (ec && ec != beast_http::error::need_more) {
    progress.refusal = bad_request("malformed HTTP request: " + ec.message());
    return progress;
  }
  // The parser takes whole lines (a folded field with its continuation), so
  // what it took starts a line, and only its first piece holds the request line.
  Status lines = check_field_lines(received.substr(0, progress.consumed), taken_ == 0);
  if (!lines) {
    progress.refusal = lines.error();
    return progress;
  }
  taken_ += progress.consumed;
  if (!parser_.is_header_done()) {
    if (taken_ + (received.size() - progress.consumed) >= header_limit_)
      return too_large();
    return progress;
  }
  if (taken_ >= header_limit_)
    return too_large();
  Status header = check_request_header(parser_.get());
  if (!header) {
    progress.refusal = header.error();
    return progress;
  }
  progress.complete = true;
  return progress;
}

}  // namespace agentsudo::server::http
