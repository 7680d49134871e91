#include "server/cli/metrics_listener.hpp"

namespace agentsudo::server::cli {

MetricsListener::MetricsListener(boost::asio::io_context& io, ProjectStore& projects,
                                 Metrics& metrics)
    : ops_(projects, metrics),
      application_(metrics),
      server_(io, application_, http::TransportLimits{}) {
  application_.mount(ops_);
}

Result<boost::asio::ip::tcp::endpoint> MetricsListener::listen(const std::string& host_port) {
  auto endpoint = server_.listen(host_port);
  if (!endpoint)
    return make_error(endpoint.error().kind, "--metrics-listen: " + endpoint.error().message);
  return endpoint;
}

}  // namespace agentsudo::server::cli
