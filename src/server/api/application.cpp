#include "server/api/application.hpp"

#include <chrono>

#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace asio = boost::asio;

namespace {

// Routes that take no body still read a small one, so a stray body or an
// unknown route gets its proper 404/405 rather than a 413.
constexpr std::size_t kSmallBody = 64 * 1024;
const std::string kUnmatchedRoute = "unmatched";

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// Wraps a synchronous handler as a route's answer.
template <class Handler>
auto immediate(Handler handler) {
  return [handler](const http::Request& request, const http::PathParams& params,
                   const http::RequestContext&) -> asio::awaitable<http::Reply> {
    co_return handler(request, params);
  };
}

// Wraps an asynchronous handler that answers a whole Response.
template <class Handler>
auto awaited(Handler handler) {
  return [handler](const http::Request& request, const http::PathParams& params,
                   const http::RequestContext&) -> asio::awaitable<http::Reply> {
    co_return co_await handler(request, params);
  };
}

}  // namespace

Application::Application(IngestHandler& ingest, EventsHandler& events, OpsHandler& ops,
                         ActivityHandlers activity, Metrics& metrics)
    : metrics_(metrics) {
  router_.add(http::Verb::post, "/ingest-event",
              Route{"/ingest-event", IngestHandler::kMaxEventBytes,
                    awaited([&ingest](const http::Request& request, const http::PathParams&) {
                      return ingest.ingest_event(request);
                    })});
  router_.add(http::Verb::post, "/api/events",
              Route{"/api/events", IngestHandler::kMaxBatchBytes,
                    awaited([&ingest](const http::Request& request, const http::PathParams&) {
                      return ingest.ingest_batch(request);
                    })});
  router_.add(
      http::Verb::get, "/api/v1/projects/{project_id}/events",
      Route{"/api/v1/projects/{project_id}/events", kSmallBody,
            immediate([&events](const http::Request& request, const http::PathParams& params) {
              return events.list(request, params[0]);
            })});
  router_.add(http::Verb::get, "/healthz",
              Route{"/healthz", kSmallBody,
                    immediate([&ops](const http::Request& request, const http::PathParams&) {
                      return ops.health(request);
                    })});
  router_.add(http::Verb::get, "/metrics",
              Route{"/metrics", kSmallBody,
                    immediate([&ops](const http::Request& request, const http::PathParams&) {
                      return ops.metrics(request);
                    })});
  add_activity_routes(activity);
}

void Application::add_activity_routes(ActivityHandlers activity) {
  auto add = [this](http::Verb method, const std::string& pattern, auto handler) {
    router_.add(method, pattern,
                Route{pattern, kSmallBody,
                      immediate([handler](const http::Request& request,
                                          const http::PathParams& params) -> http::Reply {
                        return handler(request, params[0]);
                      })});
  };
  add(http::Verb::get, "/api/v1/projects/{project_id}/analytics",
      [&analytics = activity.analytics](const http::Request& request, std::string_view project) {
        return analytics.analytics(request, project);
      });
  add(http::Verb::get, "/api/v1/projects/{project_id}/usage",
      [&analytics = activity.analytics](const http::Request& request, std::string_view project) {
        return analytics.usage(request, project);
      });
  add(http::Verb::post, "/api/v1/projects/{project_id}/scope-preview",
      [&analytics = activity.analytics](const http::Request& request, std::string_view project) {
        return analytics.scope_preview(request, project);
      });
  add(http::Verb::get, "/api/v1/projects/{project_id}/events/export",
      [&exports = activity.exports](const http::Request& request, std::string_view project) {
        return exports.export_events(request, project);
      });
  add(http::Verb::get, "/api/v1/projects/{project_id}/live",
      [&live = activity.live](const http::Request& request, std::string_view project) {
        return live.live(request, project);
      });
}

std::size_t Application::body_limit(const http::RequestHeader& header) {
  auto match = router_.find(header.method(), path_of(header.target()));
  return match.route != nullptr ? match.route->body_limit : kSmallBody;
}

asio::awaitable<http::Reply> Application::handle(http::Request request,
                                                 http::RequestContext context) {
  auto started = std::chrono::steady_clock::now();
  std::string route_name = kUnmatchedRoute;
  http::Reply reply = co_await dispatch(request, context, route_name);
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  metrics_.record_request(route_name, reply.head.result_int(), elapsed.count());
  co_return reply;
}

asio::awaitable<http::Reply> Application::dispatch(const http::Request& request,
                                                   const http::RequestContext& context,
                                                   std::string& route_name) {
  auto match = router_.find(request.method(), path_of(request.target()));
  if (match.route == nullptr && !match.allowed_methods.empty()) {
    auto response = error_response(make_error(ErrorKind::kMethodNotAllowed,
                                              "this route answers " + match.allowed_methods +
                                                  ", not " + std::string(request.method_string())),
                                   request.version());
    response.set(http::Field::allow, match.allowed_methods);
    co_return response;
  }
  if (match.route == nullptr) {
    co_return error_response(make_error(ErrorKind::kNotFound,
                                        "no such route: " + std::string(path_of(request.target()))),
                             request.version());
  }
  route_name = match.route->name;
  co_return co_await match.route->answer(request, match.params, context);
}

http::Response Application::reject(const http::RequestHeader& header, const Error& error) {
  auto response = error_response(error, header.version() == 0 ? 11 : header.version());
  metrics_.record_request(kUnmatchedRoute, response.result_int(), 0.0);
  return response;
}

}  // namespace agentsudo::server::api
