#include "server/api/application.hpp"

#include <chrono>
#include <type_traits>

#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace asio = boost::asio;
using http::Verb;

namespace {

// Routes that take no body still read a small one, so a stray body or an
// unknown route gets its proper 404/405 rather than a 413.
constexpr std::size_t kSmallBody = 64 * 1024;
// An agent's settings: 200 scopes of 256 bytes, with room for JSON escapes.
constexpr std::size_t kAgentBody = 256 * 1024;
const std::string kUnmatchedRoute = "unmatched";
const std::string kDashboardRoute = "dashboard";

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// Wraps a synchronous handler of (request, path parameters) as a route's
// answer: a whole Response, or a Reply that streams its body.
template <class Handler>
auto immediate(Handler handler) {
  return [handler](const http::Request& request, const http::PathParams& params,
                   const http::RequestContext&) -> asio::awaitable<http::Reply> {
    co_return handler(request, params);
  };
}

// Wraps a coroutine handler of (request, path parameters[, context]) that
// answers a whole Response as a route's answer.
template <class Handler>
auto awaited(Handler handler) {
  return [handler](const http::Request& request, const http::PathParams& params,
                   const http::RequestContext& context) -> asio::awaitable<http::Reply> {
    if constexpr (std::is_invocable_v<Handler, const http::Request&, const http::PathParams&,
                                      const http::RequestContext&>) {
      co_return co_await handler(request, params, context);
    } else {
      co_return co_await handler(request, params);
    }
  };
}

}  // namespace

Application::Application(Handlers handlers, Metrics& metrics)
    : dashboard_(handlers.dashboard), metrics_(metrics) {
  add_ingest_routes(handlers);
  add_account_routes(handlers);
  add_project_routes(handlers);
  add_ops_routes(handlers);
  add_activity_routes(handlers);
}

void Application::add(Verb method, const std::string& pattern, std::size_t body_limit,
                      Answer answer) {
  router_.add(method, pattern, Route{pattern, body_limit, std::move(answer)});
}

void Application::add_ingest_routes(const Handlers& h) {
  add(Verb::post, "/ingest-event", IngestHandler::kMaxEventBytes,
      awaited([&ingest = h.ingest](const http::Request& request, const http::PathParams&) {
        return ingest.ingest_event(request);
      }));
  add(Verb::post, "/api/events", IngestHandler::kMaxBatchBytes,
      awaited([&ingest = h.ingest](const http::Request& request, const http::PathParams&) {
        return ingest.ingest_batch(request);
      }));
}

void Application::add_account_routes(const Handlers& h) {
  auto& session = h.session;
  auto& users = h.users;
  add(Verb::get, "/api/v1/setup", kSmallBody,
      immediate([&session](const http::Request& r, const http::PathParams&) {
        return session.setup_status(r);
      }));
  add(Verb::post, "/api/v1/setup", kSmallBody,
      awaited([&session](const http::Request& r, const http::PathParams&) {
        return session.set_up(r);
      }));
  add(Verb::post, "/api/v1/session", kSmallBody,
      awaited(
          [&session](const http::Request& r, const http::PathParams&,
                     const http::RequestContext& context) { return session.log_in(r, context); }));
  add(Verb::get, "/api/v1/session", kSmallBody,
      immediate([&session](const http::Request& r, const http::PathParams&) {
        return session.current(r);
      }));
  add(Verb::delete_, "/api/v1/session", kSmallBody,
      immediate([&session](const http::Request& r, const http::PathParams&) {
        return session.log_out(r);
      }));
  add(Verb::get, "/api/v1/users", kSmallBody,
      immediate(
          [&users](const http::Request& r, const http::PathParams&) { return users.list(r); }));
  add(Verb::post, "/api/v1/users", kSmallBody,
      awaited(
          [&users](const http::Request& r, const http::PathParams&) { return users.create(r); }));
  add(Verb::delete_, "/api/v1/users/{user_id}", kSmallBody,
      immediate([&users](const http::Request& r, const http::PathParams& p) {
        return users.remove(r, p[0]);
      }));
  add(Verb::get, "/api/v1/server", kSmallBody,
      immediate([&info = h.server_info](const http::Request& r, const http::PathParams&) {
        return info.info(r);
      }));
}

void Application::add_project_routes(const Handlers& h) {
  auto& projects = h.projects;
  auto& members = h.members;
  auto& keys = h.keys;
  auto& agents = h.agents;
  auto& events = h.events;
  using Params = http::PathParams;
  using Req = http::Request;
  const std::string project = "/api/v1/projects/{project_id}";
  add(Verb::get, "/api/v1/projects", kSmallBody,
      immediate([&projects](const Req& r, const Params&) { return projects.list(r); }));
  add(Verb::post, "/api/v1/projects", kSmallBody,
      immediate([&projects](const Req& r, const Params&) { return projects.create(r); }));
  add(Verb::get, project, kSmallBody,
      immediate([&projects](const Req& r, const Params& p) { return projects.get(r, p[0]); }));
  add(Verb::patch, project, kSmallBody,
      immediate([&projects](const Req& r, const Params& p) { return projects.update(r, p[0]); }));
  add(Verb::delete_, project, kSmallBody,
      immediate([&projects](const Req& r, const Params& p) { return projects.remove(r, p[0]); }));

  add(Verb::get, project + "/members", kSmallBody,
      immediate([&members](const Req& r, const Params& p) { return members.list(r, p[0]); }));
  add(Verb::post, project + "/members", kSmallBody,
      immediate([&members](const Req& r, const Params& p) { return members.add(r, p[0]); }));
  add(Verb::delete_, project + "/members/{user_id}", kSmallBody,
      immediate(
          [&members](const Req& r, const Params& p) { return members.remove(r, p[0], p[1]); }));

  add(Verb::get, project + "/keys", kSmallBody,
      immediate([&keys](const Req& r, const Params& p) { return keys.list(r, p[0]); }));
  add(Verb::post, project + "/keys", kSmallBody,
      immediate([&keys](const Req& r, const Params& p) { return keys.create(r, p[0]); }));
  add(Verb::post, project + "/keys/{key_id}/rotate", kSmallBody,
      immediate([&keys](const Req& r, const Params& p) { return keys.rotate(r, p[0], p[1]); }));
  add(Verb::delete_, project + "/keys/{key_id}", kSmallBody,
      immediate([&keys](const Req& r, const Params& p) { return keys.revoke(r, p[0], p[1]); }));

  add(Verb::get, project + "/agents", kSmallBody,
      immediate([&agents](const Req& r, const Params& p) { return agents.list(r, p[0]); }));
  add(Verb::post, project + "/agents", kAgentBody,
      immediate([&agents](const Req& r, const Params& p) { return agents.create(r, p[0]); }));
  add(Verb::get, project + "/agents/{agent_id}", kSmallBody,
      immediate([&agents](const Req& r, const Params& p) { return agents.get(r, p[0], p[1]); }));
  add(Verb::patch, project + "/agents/{agent_id}", kAgentBody,
      immediate([&agents](const Req& r, const Params& p) { return agents.update(r, p[0], p[1]); }));
  add(Verb::delete_, project + "/agents/{agent_id}", kSmallBody,
      immediate([&agents](const Req& r, const Params& p) { return agents.remove(r, p[0], p[1]); }));

  add(Verb::get, project + "/events", kSmallBody,
      immediate([&events](const Req& r, const Params& p) { return events.list(r, p[0]); }));
}

void Application::add_ops_routes(const Handlers& h) {
  auto& ops = h.ops;
  add(Verb::get, "/healthz", kSmallBody,
      immediate([&ops](const http::Request& r, const http::PathParams&) { return ops.health(r); }));
  add(Verb::get, "/metrics", kSmallBody,
      immediate(
          [&ops](const http::Request& r, const http::PathParams&) { return ops.metrics(r); }));
}

void Application::add_activity_routes(const Handlers& h) {
  auto& analytics = h.analytics;
  using P = http::PathParams;
  using R = http::Request;
  const std::string project = "/api/v1/projects/{project_id}";
  add(Verb::get, project + "/analytics", kSmallBody,
      immediate([&analytics](const R& r, const P& p) { return analytics.analytics(r, p[0]); }));
  add(Verb::get, project + "/usage", kSmallBody,
      immediate([&analytics](const R& r, const P& p) { return analytics.usage(r, p[0]); }));
  add(Verb::post, project + "/scope-preview", kSmallBody,
      immediate([&analytics](const R& r, const P& p) { return analytics.scope_preview(r, p[0]); }));
  add(Verb::get, project + "/events/export", kSmallBody,
      immediate([&exports = h.exports](const R& r, const P& p) {
        return exports.export_events(r, p[0]);
      }));
  add(Verb::get, project + "/live", kSmallBody,
      immediate([&live = h.live](const R& r, const P& p) { return live.live(r, p[0]); }));
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
  if (match.route == nullptr && DashboardFiles::claims(request)) {
    route_name = kDashboardRoute;
    co_return dashboard_.serve(request);
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
