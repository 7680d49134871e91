#include "server/api/policy_handler.hpp"

#include <boost/url/parse.hpp>

#include "server/api/query_params.hpp"
#include "server/api/responses.hpp"
#include "server/auth/credentials.hpp"

namespace agentsudo::server::api {

namespace {

struct PolicyQuery {
  std::optional<std::int64_t> after;
  int wait_seconds = 0;
};

Result<PolicyQuery> parse_query(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url)
    return invalid_parameter("", "the request target is not a valid URL");
  PolicyQuery query;
  for (const auto& param : url->params()) {
    if (param.key.empty())
      continue;  // "?" alone, or "&&"
    if (param.key == "after") {
      query.after = whole_number(param.value);
      if (!query.after)
        return invalid_parameter("after", "after must be a policy version (a whole number)");
    } else if (param.key == "wait") {
      ASSIGN_OR_RETURN(query.wait_seconds,
                       wait_seconds(param.value, PolicyHandler::kMaxWaitSeconds));
    } else {
      return invalid_parameter(param.key, "unknown query parameter " + param.key);
    }
  }
  if (query.wait_seconds > 0 && !query.after)
    return invalid_parameter("after", "wait needs after: the version the client holds");
  return query;
}

// RFC 9110 §13.1.2: "*" or a list of entity tags, weak ones compared weakly.
bool none_match(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t'))
      tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t'))
      tag.remove_suffix(1);
    if (tag.starts_with("W/"))
      tag.remove_prefix(2);
    if (tag == "*" || tag == etag)
      return true;
  }
  return false;
}

void set_validators(http::Response& response, const PolicySnapshot& snapshot) {
  response.set(http::Field::etag, snapshot.etag());
  // Revalidate every time: a cached policy must never outlive a change.
  response.set(http::Field::cache_control, "no-cache, private");
}

http::Response not_modified(const PolicySnapshot& snapshot, unsigned version) {
  http::Response response{http::beast_http::status::not_modified, version};
  set_validators(response, snapshot);
  return response;
}

}  // namespace

std::vector<ResourceRoute<PolicyHandler>> PolicyHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/v1/policy", kSmallBody, Access::kApiKey, &PolicyHandler::read),
  };
}

PolicyHandler::PolicyHandler(ProjectStore& projects, PolicyCache& policies)
    : projects_(projects), policies_(policies) {}

boost::asio::awaitable<Result<http::Response>> PolicyHandler::read(const http::Request& request) {
  CO_ASSIGN_OR_RETURN(auto owner, authenticate_api_key(projects_, request["X-API-Key"]));
  CO_ASSIGN_OR_RETURN(auto query, parse_query(request.target()));
  PolicyCache::Snapshot policy;
  if (query.after) {
    // A statement of its own: GCC 12 destroys a co_await's temporaries twice
    // inside a conditional expression, which freed the cached snapshot.
    auto waited = co_await policies_.wait_newer(owner.project_rowid, *query.after,
                                                std::chrono::seconds(query.wait_seconds));
    CO_ASSIGN_OR_RETURN(policy, std::move(waited));
  } else {
    CO_ASSIGN_OR_RETURN(policy, policies_.current(owner.project_rowid));
  }
  bool unchanged = query.after && policy->version() <= *query.after;
  auto if_none_match = request[http::Field::if_none_match];
  if (unchanged || (!if_none_match.empty() && none_match(if_none_match, policy->etag())))
    co_return not_modified(*policy, request.version());
  http::Response response{http::beast_http::status::ok, request.version()};
  response.set(http::Field::content_type, "application/json");
  response.set("X-Content-Type-Options", "nosniff");
  set_validators(response, *policy);
  response.body() = policy->json();
  co_return response;
}

}  // namespace agentsudo::server::api
