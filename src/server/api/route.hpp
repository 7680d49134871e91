#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "server/api/responses.hpp"
#include "server/http/message.hpp"
#include "server/http/reply.hpp"
#include "server/http/request_context.hpp"
#include "server/http/router.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server::api {

// Routes that take no body still read a small one, so a stray body or an
// unknown route gets its proper 404/405 rather than a 413.
inline constexpr std::size_t kSmallBody = 64 * 1024;

// Who may call a route. The isolation tests and the docs' route tables are
// checked against these, so a route cannot be missing from either.
enum class Access {
  kPublic,   // anyone (health, metrics, login, first-run setup)
  kApiKey,   // a project's ingest key (X-API-Key)
  kUser,     // any signed-in user or management token
  kAdmin,    // an admin user or a management token
  kProject,  // a member of the {project_id} in the path, or a management token
};

std::string_view to_string(Access access);

// A route as tools and tests read it, without its handler.
struct RouteInfo {
  http::Verb method;
  std::string pattern;  // "/api/v1/projects/{project_id}/keys"; also the metrics label
  std::size_t body_limit;
  Access access;
};

// How a matched route answers: any handler, bound to its instance.
using Answer = std::function<boost::asio::awaitable<http::Reply>(
    const http::Request&, const http::PathParams&, const http::RequestContext&)>;

// One route of a resource `Handler`, declared beside the handler itself.
template <class Handler>
struct ResourceRoute {
  RouteInfo info;
  std::function<boost::asio::awaitable<http::Reply>(
      Handler&, const http::Request&, const http::PathParams&, const http::RequestContext&)>
      invoke;
};

namespace route_detail {

template <class T>
struct is_awaitable : std::false_type {};
template <class T>
struct is_awaitable<boost::asio::awaitable<T>> : std::true_type {};

// What a handler member may return, as the transport's Reply: errors become
// the one error body, with the request's HTTP version.
inline http::Reply to_reply(http::Reply reply, unsigned) {
  return reply;
}
inline http::Reply to_reply(http::Response response, unsigned) {
  return response;
}
template <class T>
http::Reply to_reply(Result<T> result, unsigned version) {
  if (!result)
    return error_response(result.error(), version);
  return to_reply(std::move(*result), version);
}

// The I-th argument after the request: a path parameter, or the context.
template <class Arg>
decltype(auto) argument(const http::PathParams& params, const http::RequestContext& context,
                        std::size_t index) {
  if constexpr (std::is_same_v<std::remove_cvref_t<Arg>, http::RequestContext>)
    return (context);
  else
    return std::string_view(params[index]);
}

}  // namespace route_detail

// A route whose answer is `member` of Handler, called with the request and
// then either the path's parameters in order (as std::string_view) or the
// request context. The member may return a Response, a Reply or a Result of
// either, or an awaitable of any of those.
template <class Handler, class R, class... Args>
ResourceRoute<Handler> route(http::Verb method, std::string pattern, std::size_t body_limit,
                             Access access, R (Handler::*member)(const http::Request&, Args...)) {
  auto invoke = [member](
                    Handler& handler, const http::Request& request, const http::PathParams& params,
                    const http::RequestContext& context) -> boost::asio::awaitable<http::Reply> {
    auto call = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (handler.*member)(request, route_detail::argument<Args>(params, context, I)...);
    };
    if constexpr (route_detail::is_awaitable<R>::value)
      co_return route_detail::to_reply(co_await call(std::index_sequence_for<Args...>{}),
                                       request.version());
    else
      co_return route_detail::to_reply(call(std::index_sequence_for<Args...>{}), request.version());
  };
  return {RouteInfo{method, std::move(pattern), body_limit, access}, std::move(invoke)};
}

}  // namespace agentsudo::server::api
