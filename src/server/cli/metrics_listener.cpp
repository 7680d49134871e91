#include "server/cli/metrics_listener.hpp"

namespace agentsudo::server::cli {
namespace {

// A scraper or two, not the public: a small cap keeps this listener's
// descriptors inside the reserve serve leaves beside the public cap.
http::TransportLimits scrape_limits() {
  http::TransportLimits limits;
  limits.max_connections = 16;
  return limits;
}

}  // namespace

MetricsListener::MetricsListener(boost::asio::io_context& io, ProjectStore& projects,
                                 Metrics& metrics)
    : ops_(projects, metrics),
      application_(metrics),
      server_(io, application_, scrape_limits(),
              {metrics.connections_refused, metrics.connections_open, metrics.requests_timed_out}) {
  application_.mount(ops_);
}

Result<boost::asio::ip::tcp::endpoint> MetricsListener::listen(const std::string& host_port) {
  auto endpoint = server_.listen(host_port);
  if (!endpoint)
    return make_error(endpoint.error().kind, "--metrics-listen: " + endpoint.error().message);
  return endpoint;
}

}  // namespace agentsudo::server::cli
