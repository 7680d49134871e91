#pragma once

#include <string_view>
#include <vector>

#include "server/api/route.hpp"
#include "server/auth/access_control.hpp"
#include "server/http/message.hpp"
#include "server/notify/webhook_dispatcher.hpp"
#include "server/service/webhook_service.hpp"

namespace agentsudo::server::api {

// /api/v1/projects/{project_id}/webhooks: where a project's approval
// notifications go, the log of their deliveries, and a test delivery. A
// webhook's signing secret is in the answer that creates it and nowhere
// else. Thread-safe.
class WebhooksHandler {
 public:
  // The routes this resource answers; see api/route.hpp.
  static std::vector<ResourceRoute<WebhooksHandler>> routes();

  WebhooksHandler(AccessControl& access, WebhookService& webhooks, WebhookDispatcher& dispatcher);

  Result<http::Response> list(const http::Request& request, std::string_view project_id);
  Result<http::Response> create(const http::Request& request, std::string_view project_id);
  Result<http::Response> remove(const http::Request& request, std::string_view project_id,
                                std::string_view webhook_id);
  // The webhook's deliveries, newest first (?limit=, default 50, at most 200).
  Result<http::Response> deliveries(const http::Request& request, std::string_view project_id,
                                    std::string_view webhook_id);
  // Queues a "ping" delivery to the webhook: 202 with its id.
  Result<http::Response> test(const http::Request& request, std::string_view project_id,
                              std::string_view webhook_id);

 private:
  AccessControl& access_;
  WebhookService& webhooks_;
  WebhookDispatcher& dispatcher_;
};

}  // namespace agentsudo::server::api
