#pragma once

#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/model/clock.hpp"
#include "server/store/analytics_store.hpp"

namespace agentsudo::server::api {

// GET /api/v1/projects/{id}/analytics, GET .../usage and POST
// .../scope-preview: answers from the aggregates the commit writer keeps,
// never from a scan of the events. Thread-safe.
class AnalyticsHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<AnalyticsHandler>> routes();

  // Bounds the agent and scope lists of a report (busiest first).
  static constexpr std::size_t kMaxListRows = 100;
  // Bounds the scopes a preview sorts.
  static constexpr std::size_t kMaxPreviewScopes = 10'000;
  static constexpr std::size_t kUsageDays = 30;

  AnalyticsHandler(AccessControl& access, AnalyticsStore& analytics, const Clock& clock);

  Result<http::Response> analytics(const http::Request& request, std::string_view project_id);
  Result<http::Response> usage(const http::Request& request, std::string_view project_id);
  Result<http::Response> scope_preview(const http::Request& request, std::string_view project_id);

 private:
  AccessControl& access_;
  AnalyticsStore& analytics_;
  const Clock& clock_;
};

}  // namespace agentsudo::server::api
