#pragma once

#include <functional>
#include <string>

#include "server/api/analytics_handler.hpp"
#include "server/api/events_handler.hpp"
#include "server/api/export_handler.hpp"
#include "server/api/ingest_handler.hpp"
#include "server/api/live_handler.hpp"
#include "server/api/ops_handler.hpp"
#include "server/http/request_handler.hpp"
#include "server/http/router.hpp"
#include "server/metrics/metrics.hpp"

namespace agentsudo::server::api {

// The server's routes: which handler answers which (method, path), with
// which body limit, and the request metrics around every answer.
// Thread-safe once constructed.
class Application final : public http::RequestHandler {
 public:
  // The handlers of the analytics, export and live routes.
  struct ActivityHandlers {
    AnalyticsHandler& analytics;
    ExportHandler& exports;
    LiveHandler& live;
  };

  Application(IngestHandler& ingest, EventsHandler& events, OpsHandler& ops,
              ActivityHandlers activity, Metrics& metrics);

  std::size_t body_limit(const http::RequestHeader& header) override;
  boost::asio::awaitable<http::Reply> handle(http::Request request,
                                             http::RequestContext context) override;
  http::Response reject(const http::RequestHeader& header, const Error& error) override;

 private:
  struct Route {
    std::string name;  // the metrics label: the pattern, never the raw path
    std::size_t body_limit;
    std::function<boost::asio::awaitable<http::Reply>(const http::Request&, const http::PathParams&,
                                                      const http::RequestContext&)>
        answer;
  };

  void add_activity_routes(ActivityHandlers activity);
  boost::asio::awaitable<http::Reply> dispatch(const http::Request& request,
                                               const http::RequestContext& context,
                                               std::string& route_name);

  http::Router<Route> router_;
  Metrics& metrics_;
};

}  // namespace agentsudo::server::api
