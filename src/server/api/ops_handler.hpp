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
  // Whether /metrics answers on this listener, or only on the metrics
  // listener (`serve --metrics-listen`), which has an OpsHandler of its own.
  enum class MetricsHere { kYes, kNo };

  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<OpsHandler>> routes();

  OpsHandler(ProjectStore& projects, const Metrics& metrics,
             MetricsHere metrics_here = MetricsHere::kYes);

  // 200 while the store answers, 503 when it does not.
  http::Response health(const http::Request& request);
  // 404 NOT_FOUND when the metrics are not served here.
  http::Response metrics(const http::Request& request);

 private:
  ProjectStore& projects_;
  const Metrics& metrics_;
  MetricsHere metrics_here_;
};

}  // namespace agentsudo::server::api
