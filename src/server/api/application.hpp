#pragma once

#include <string>
#include <vector>

#include "server/api/dashboard_files.hpp"
#include "server/api/resources.hpp"
#include "server/api/route.hpp"
#include "server/http/request_handler.hpp"
#include "server/http/router.hpp"
#include "server/metrics/metrics.hpp"

namespace agentsudo::server::api {

// The server's request handler: finds the route for (method, path), applies
// its body limit, calls its resource, and records request metrics around
// every answer. A GET that no route matches outside /api/ goes to the
// dashboard's files. A resource that throws is logged with its route and
// answered 500. Thread-safe once constructed.
class Application final : public http::RequestHandler {
 public:
  // The files and metrics must outlive the Application.
  Application(const DashboardFiles& dashboard, Metrics& metrics);
  // Serves the mounted routes and nothing else, no dashboard (the metrics
  // listener); `metrics` must outlive it.
  explicit Application(Metrics& metrics);

  // Serves every route of `handler` (Handler::routes()), matched after those
  // mounted before; `handler` must outlive the Application. Not thread-safe:
  // mount everything before serving.
  template <class Handler>
  void mount(Handler& handler) {
    for (auto& route : Handler::routes()) {
      add(std::move(route.info), [&handler, invoke = std::move(route.invoke)](
                                     const http::Request& request, const http::PathParams& params,
                                     const http::RequestContext& context) {
        return invoke(handler, request, params, context);
      });
    }
  }

  // Mounts one of each resource the server serves.
  void mount_all(Resources::Instances resources);

  std::size_t body_limit(const http::RequestHeader& header) override;
  boost::asio::awaitable<http::Reply> handle(http::Request request,
                                             http::RequestContext context) override;
  http::Response reject(const http::RequestHeader& header, const Error& error) override;

 private:
  struct Route {
    RouteInfo info;
    Answer answer;
  };

  void add(RouteInfo info, Answer answer);

  boost::asio::awaitable<http::Reply> dispatch(const http::Request& request,
                                               const http::RequestContext& context,
                                               std::string& route_name);
  boost::asio::awaitable<http::Reply> answer(const Route& route, const http::Request& request,
                                             const http::PathParams& params,
                                             const http::RequestContext& context);

  http::Router<Route> router_;
  const DashboardFiles* dashboard_;  // null: no dashboard
  Metrics& metrics_;
};

}  // namespace agentsudo::server::api
