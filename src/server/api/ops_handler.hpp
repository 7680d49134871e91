#pragma once

#include <vector>

#include "server/api/route.hpp"
#include "server/http/message.hpp"
#include "server/metrics/metrics.hpp"
#include "server/store/project_store.hpp"

namespace agentsudo::server::api {

// GET /healthz and GET /metrics, for load balancers and Prometheus.
class OpsHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<OpsHandler>> routes();

  OpsHandler(ProjectStore& projects, const Metrics& metrics);

  // 200 while the store answers, 503 when it does not.
  http::Response health(const http::Request& request);
  http::Response metrics(const http::Request& request);

 private:
  ProjectStore& projects_;
  const Metrics& metrics_;
};

}  // namespace agentsudo::server::api
