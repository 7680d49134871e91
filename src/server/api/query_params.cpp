#include "server/api/query_params.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <charconv>

namespace agentsudo::server::api {

Error invalid_parameter(std::string name, std::string message) {
  return make_error(ErrorKind::kInvalidParameter, std::move(message), std::move(name));
}

std::optional<std::int64_t> whole_number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    return std::nullopt;
  return value;
}

Result<int> wait_seconds(std::string_view text, int max) {
  auto wait = whole_number(text);
  if (!wait || *wait > max)
    return invalid_parameter("wait", "wait must be 0 to " + std::to_string(max) + " seconds");
  return static_cast<int>(*wait);
}

Result<std::map<std::string, std::string, std::less<>>> query_params(
    std::string_view target, std::initializer_list<std::string_view> allowed) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url)
    return invalid_parameter("", "the request target is not a valid URL");
  std::map<std::string, std::string, std::less<>> params;
  for (const auto& param : url->params()) {
    if (param.key.empty())
      continue;  // "?" alone, or "&&"
    if (std::ranges::find(allowed, std::string_view(param.key)) == allowed.end())
      return invalid_parameter(param.key, "unknown query parameter " + param.key);
    params[param.key] = param.value;
  }
  return params;
}

}  // namespace agentsudo::server::api
