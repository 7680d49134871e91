#pragma once

#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/model/clock.hpp"
#include "server/store/analytics_store.hpp"
#include "server/store/delivery_store.hpp"

namespace agentsudo::server::api {

// GET /api/v1/projects/{id}/analytics, GET .../usage, GET .../usage/delivery and POST
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

  // Bounds the SDK instances GET .../usage/delivery lists (most recently active first).
  static constexpr std::size_t kMaxDeliveryInstances = 200;

  AnalyticsHandler(AccessControl& access, AnalyticsStore& analytics, DeliveryStore& delivery,
                   const Clock& clock);

  Result<http::Response> analytics(const http::Request& request, std::string_view project_id);
  Result<http::Response> usage(const http::Request& request, std::string_view project_id);
  // What the SDK instances lost: drops they reported and numbers never
  // received, per instance and day.
  Result<http::Response> delivery(const http::Request& request, std::string_view project_id);
  Result<http::Response> scope_preview(const http::Request& request, std::string_view project_id);

 private:
  AccessControl& access_;
  AnalyticsStore& analytics_;
  DeliveryStore& delivery_;
  const Clock& clock_;
};

}  // namespace agentsudo::server::api
