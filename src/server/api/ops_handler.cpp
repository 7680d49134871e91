#include "server/api/ops_handler.hpp"

#include <boost/json/value.hpp>

#include "server/api/responses.hpp"

namespace agentsudo::server::api {

std::vector<ResourceRoute<OpsHandler>> OpsHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/healthz", kSmallBody, Access::kPublic, &OpsHandler::health),
      route(Verb::get, "/metrics", kSmallBody, Access::kPublic, &OpsHandler::metrics),
  };
}

OpsHandler::OpsHandler(ProjectStore& projects, const Metrics& metrics, MetricsHere metrics_here)
    : projects_(projects), metrics_(metrics), metrics_here_(metrics_here) {}

http::Response OpsHandler::health(const http::Request& request) {
  bool store_answers = projects_.setting("schema").ok();
  boost::json::object body{{"status", store_answers ? "ok" : "unavailable"}};
  return json_response(store_answers ? 200 : 503, body, request.version());
}

http::Response OpsHandler::metrics(const http::Request& request) {
  if (metrics_here_ == MetricsHere::kNo) {
    return error_response(
        make_error(ErrorKind::kNotFound, "metrics are served on the metrics listener only"),
        request.version());
  }
  http::Response response{http::beast_http::status::ok, request.version()};
  response.set(http::Field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.body() = metrics_.render();
  return response;
}

}  // namespace agentsudo::server::api
