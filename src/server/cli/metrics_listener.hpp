#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>

#include "server/api/application.hpp"
#include "server/api/ops_handler.hpp"
#include "server/http/http_server.hpp"
#include "server/metrics/metrics.hpp"
#include "server/model/error.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::cli {

// `serve --metrics-listen`: a second listener on the server's io_context that
// answers GET /metrics and GET /healthz and 404 to everything else, so that
// Prometheus can scrape from a private address while the public listener
// stops serving /metrics. Not thread-safe until started; `stop_accepting` is.
class MetricsListener {
 public:
  // `projects` and `metrics` must outlive it.
  MetricsListener(boost::asio::io_context& io, ProjectStore& projects, Metrics& metrics);

  // Binds "HOST:PORT" (port 0 picks a free one). Returns the bound endpoint.
  Result<boost::asio::ip::tcp::endpoint> listen(const std::string& host_port);
  void start() { server_.start(); }
  void stop_accepting() { server_.stop_accepting(); }

 private:
  api::OpsHandler ops_;
  api::Application application_;
  http::HttpServer server_;
};

}  // namespace agentsudo::server::cli
