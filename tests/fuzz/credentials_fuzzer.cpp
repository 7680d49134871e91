// The headers the server parses itself: the session cookie out of a Cookie
// header, and the credentials a request presents. Input: a method byte, then
// the Cookie, Authorization, X-API-Key and X-CSRF-Token values separated by
// NULs.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/session_cookie.hpp"

namespace api = agentsudo::server::api;
namespace http = agentsudo::server::http;

namespace {

bool is_within(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

bool has_edge_whitespace(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  return !text.empty() && (space(text.front()) || space(text.back()));
}

std::vector<std::string_view> split_on_nul(std::string_view input, std::size_t parts) {
  std::vector<std::string_view> values;
  while (values.size() + 1 < parts) {
    auto nul = input.find('\0');
    values.push_back(input.substr(0, nul));
    input = nul == std::string_view::npos ? std::string_view{} : input.substr(nul + 1);
  }
  values.push_back(input);
  return values;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  static constexpr http::Verb kMethods[] = {http::Verb::get,     http::Verb::post,
                                            http::Verb::put,     http::Verb::patch,
                                            http::Verb::delete_, http::Verb::head};
  http::Verb method = kMethods[data[0] % std::size(kMethods)];
  auto values =
      split_on_nul(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), 4);

  std::string_view cookie = api::cookie_value(values[0], api::kSessionCookie);
  FUZZ_CHECK(is_within(cookie, values[0]));
  FUZZ_CHECK(cookie.find(';') == std::string_view::npos);
  FUZZ_CHECK(!has_edge_whitespace(cookie));

  // A token the server set comes back out of the header the browser returns.
  std::string token(values[3]);
  bool settable = token.find_first_of("; \t") == std::string::npos;
  if (settable) {
    std::string set_cookie = api::session_cookie(token, std::chrono::seconds(60), {});
    std::string returned = "theme=dark; " + set_cookie.substr(0, set_cookie.find(';'));
    FUZZ_CHECK(api::cookie_value(returned, api::kSessionCookie) == token);
  }

  http::Request request{method, "/api/v1/projects", 11};
  request.set(http::Field::cookie, values[0]);
  request.set(http::Field::authorization, values[1]);
  request.set("X-API-Key", values[2]);
  request.set(api::kCsrfHeader, values[3]);
  auto presented = api::credentials_of(request);
  FUZZ_CHECK(is_within(presented.session_token, request[http::Field::cookie]));
  FUZZ_CHECK(presented.authorization == request[http::Field::authorization]);
  FUZZ_CHECK(presented.api_key == request["X-API-Key"]);
  FUZZ_CHECK(presented.csrf_token == request[api::kCsrfHeader]);
  FUZZ_CHECK(presented.changes_state == (method != http::Verb::get && method != http::Verb::head));
  return 0;
}
