// Bytes off a socket -> the server's RequestHeaderReader (Beast's parser and
// the RFC 9112 checks) -> route match -> body. The input arrives in two reads, split where its
// first byte says, as the connection loop would offer it.
#include <boost/beast/core/string.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "server/http/request_framing.hpp"
#include "server/http/router.hpp"

namespace http = agentsudo::server::http;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;

// Route shapes the server serves: literal paths, one and two placeholders.
const http::Router<int>& routes() {
  static const http::Router<int> router = [] {
    http::Router<int> r;
    int id = 0;
    r.add(http::Verb::post, "/ingest-event", ++id);
    r.add(http::Verb::post, "/api/events", ++id);
    r.add(http::Verb::get, "/healthz", ++id);
    r.add(http::Verb::get, "/metrics", ++id);
    r.add(http::Verb::get, "/api/v1/projects/{id}/events", ++id);
    r.add(http::Verb::get, "/api/v1/projects/{id}/events/export", ++id);
    r.add(http::Verb::delete_, "/api/v1/projects/{id}/keys/{key_id}", ++id);
    r.add(http::Verb::patch, "/api/v1/projects/{id}/agents/{agent_id}", ++id);
    return r;
  }();
  return router;
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// What a header that passed every check guarantees to the application.
void check_accepted(const http::RequestHeader& header, const http::RequestParser& parser) {
  std::string_view target = header.target();
  FUZZ_CHECK(target.starts_with('/') || (target == "*" && header.method() == http::Verb::options));
  auto hosts = header.count(http::Field::host);
  FUZZ_CHECK(hosts <= 1);
  FUZZ_CHECK(header.version() < 11 || hosts == 1);
  bool has_transfer_encoding = header.count(http::Field::transfer_encoding) != 0;
  FUZZ_CHECK(!has_transfer_encoding || header.count(http::Field::content_length) == 0);
  // The parser frames the body exactly as the checked header says.
  FUZZ_CHECK(parser.chunked() == has_transfer_encoding);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t split = data[0] % (input.size() + 1);

  http::RequestParser parser;
  parser.body_limit(boost::none);
  http::RequestHeaderReader reader(parser, kHeaderLimit);
  std::string buffered(input.substr(0, split));
  http::HeaderProgress progress = reader.offer(buffered);
  std::size_t taken = progress.consumed;
  if (!progress.complete && !progress.refusal) {
    buffered.erase(0, progress.consumed);
    buffered.append(input.substr(split));
    progress = reader.offer(buffered);
    taken += progress.consumed;
  }
  FUZZ_CHECK(progress.consumed <= buffered.size());
  FUZZ_CHECK(!(progress.complete && progress.refusal));
  if (!progress.complete)
    return 0;
  FUZZ_CHECK(taken < kHeaderLimit);

  check_accepted(parser.get(), parser);
  auto match = routes().find(parser.get().method(), path_of(parser.get().target()));
  if (match.route != nullptr)
    FUZZ_CHECK(match.allowed_methods.empty());

  // The body, as the connection loop reads it once the route is known.
  constexpr std::size_t kBodyLimit = 64 * 1024;
  if (!http::limit_body(parser, kBodyLimit)) {
    FUZZ_CHECK(parser.content_length().value_or(0) > kBodyLimit);
    return 0;
  }
  parser.eager(true);
  std::string_view rest = std::string_view(buffered).substr(progress.consumed);
  boost::beast::error_code ec;
  while (!rest.empty() && !parser.is_done()) {
    std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (ec || used == 0)
      break;
    rest.remove_prefix(used);
  }
  return 0;
}
