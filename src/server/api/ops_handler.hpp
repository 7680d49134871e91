#pragma once

#include "server/http/message.hpp"
#include "server/metrics/metrics.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// GET /healthz and GET /metrics, for load balancers and Prometheus.
class OpsHandler {
 public:
  OpsHandler(ProjectStore& projects, const Metrics& metrics);

  // 200 while the store answers, 503 when it does not.
  http::Response health(const http::Request& request);
  http::Response metrics(const http::Request& request);

 private:
  ProjectStore& projects_;
  const Metrics& metrics_;
};

}  // namespace agentsudo::server::api
