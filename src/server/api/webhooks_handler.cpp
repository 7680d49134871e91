#include "server/api/webhooks_handler.hpp"

#include <boost/url/parse.hpp>
#include <charconv>

#include "server/api/json_members.hpp"
#include "server/api/request_body.hpp"
#include "server/api/request_credentials.hpp"
#include "server/api/resource_json.hpp"
#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace json = boost::json;

namespace {

json::object webhook_json(const Webhook& webhook) {
  return {{"id", webhook.id},
          {"url", webhook.url},
          {"format", to_string(webhook.format)},
          {"secret_prefix", WebhookService::secret_prefix(webhook.secret)},
          {"created_at", format_rfc3339(webhook.created_at)}};
}

json::object delivery_json(const WebhookDelivery& delivery) {
  json::value status = nullptr;
  if (delivery.last_status)
    status = *delivery.last_status;
  json::value error = nullptr;
  if (!delivery.last_error.empty())
    error = delivery.last_error;
  return {{"id", delivery.id},
          {"type", delivery.type},
          {"attempts", delivery.attempts},
          {"last_status", status},
          {"last_error", error},
          {"delivered_at", time_or_null(delivery.delivered_at)},
          {"next_attempt_at", time_or_null(delivery.next_attempt_at)},
          {"created_at", format_rfc3339(delivery.created_at)}};
}

Error invalid_limit() {
  return make_error(
      ErrorKind::kInvalidParameter,
      "limit must be a whole number from 1 to " + std::to_string(WebhookService::kMaxDeliveries),
      "limit");
}

// Reads ?limit=N; no other parameter is accepted.
Result<std::size_t> read_limit(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url)
    return make_error(ErrorKind::kInvalidParameter, "the request target is not a valid URL");
  std::size_t limit = WebhookService::kDefaultDeliveries;
  for (const auto& param : url->params()) {
    if (param.key.empty())
      continue;
    if (param.key != "limit") {
      return make_error(ErrorKind::kInvalidParameter, "unknown query parameter " + param.key,
                        param.key);
    }
    const std::string& text = param.value;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (ec != std::errc() || end != text.data() + text.size() || limit < 1 ||
        limit > WebhookService::kMaxDeliveries)
      return invalid_limit();
  }
  return limit;
}

}  // namespace

std::vector<ResourceRoute<WebhooksHandler>> WebhooksHandler::routes() {
  using http::Verb;
  return {
      route(Verb::get, "/api/v1/projects/{project_id}/webhooks", kSmallBody, Access::kProject,
            &WebhooksHandler::list),
      route(Verb::post, "/api/v1/projects/{project_id}/webhooks", kSmallBody, Access::kProject,
            &WebhooksHandler::create),
      route(Verb::delete_, "/api/v1/projects/{project_id}/webhooks/{webhook_id}", kSmallBody,
            Access::kProject, &WebhooksHandler::remove),
      route(Verb::get, "/api/v1/projects/{project_id}/webhooks/{webhook_id}/deliveries", kSmallBody,
            Access::kProject, &WebhooksHandler::deliveries),
      route(Verb::post, "/api/v1/projects/{project_id}/webhooks/{webhook_id}/test", kSmallBody,
            Access::kProject, &WebhooksHandler::test),
  };
}

WebhooksHandler::WebhooksHandler(AccessControl& access, WebhookService& webhooks,
                                 WebhookDispatcher& dispatcher)
    : access_(access), webhooks_(webhooks), dispatcher_(dispatcher) {}

Result<http::Response> WebhooksHandler::list(const http::Request& request,
                                             std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto webhooks, webhooks_.list(target.project.rowid));
  json::array list;
  for (const auto& webhook : webhooks)
    list.push_back(webhook_json(webhook));
  return json_response(200, json::object{{"webhooks", std::move(list)}}, request.version());
}

Result<http::Response> WebhooksHandler::create(const http::Request& request,
                                               std::string_view project_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto body, parse_json_body(request));
  ASSIGN_OR_RETURN(auto members, JsonMembers::of(body, {"url", "format"}));
  ASSIGN_OR_RETURN(auto url, members.required_string("url"));
  ASSIGN_OR_RETURN(auto format, members.optional_string("format"));
  std::optional<std::string_view> format_view;
  if (format)
    format_view = *format;
  ASSIGN_OR_RETURN(auto created, webhooks_.create(target.project.rowid, url, format_view));
  return json_response(
      201, json::object{{"webhook", webhook_json(created.webhook)}, {"secret", created.secret}},
      request.version());
}

Result<http::Response> WebhooksHandler::remove(const http::Request& request,
                                               std::string_view project_id,
                                               std::string_view webhook_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  RETURN_IF_ERROR(webhooks_.remove(target.project.rowid, webhook_id));
  return no_content(request.version());
}

Result<http::Response> WebhooksHandler::deliveries(const http::Request& request,
                                                   std::string_view project_id,
                                                   std::string_view webhook_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto limit, read_limit(request.target()));
  ASSIGN_OR_RETURN(auto deliveries, webhooks_.deliveries(target.project.rowid, webhook_id, limit));
  json::array list;
  for (const auto& delivery : deliveries)
    list.push_back(delivery_json(delivery));
  return json_response(200, json::object{{"deliveries", std::move(list)}}, request.version());
}

Result<http::Response> WebhooksHandler::test(const http::Request& request,
                                             std::string_view project_id,
                                             std::string_view webhook_id) {
  ASSIGN_OR_RETURN(auto target, authorize_project(access_, request, project_id));
  ASSIGN_OR_RETURN(auto delivery_id,
                   dispatcher_.ping(target.project.rowid, target.project.id, webhook_id));
  return json_response(202, json::object{{"delivery_id", delivery_id}}, request.version());
}

}  // namespace agentsudo::server::api
